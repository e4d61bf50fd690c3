"""The project's own table: which scheduled job ran for which slot (maillage/scheduler.py)."""

from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """One run of one scheduled job for one slot. The unique pair is the lock: of two machines (or
    two ``make serve``) due to run the same job for the same slot, only the first to insert runs it."""

    job = models.CharField(max_length=60)
    slot = models.DateTimeField()  # the scheduled time this run is for
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    output = models.TextField(blank=True)  # the command's summary lines (counts, never personal data)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_job_and_slot")]
        ordering = ["-slot"]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
