import signal
import time

from django.core.management.base import BaseCommand

from maillage import scheduler


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs (maillage/scheduler.py) at their times, until SIGTERM. Each job runs once per "
        "slot whatever the number of schedulers. --once: run what is due now, then stop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is due now, then stop")

    def handle(self, *args, once=False, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            for name in scheduler.run_due():
                self.stdout.write(f"ran {name}")
            if once or stopping:
                return
            deadline = time.monotonic() + scheduler.seconds_until_next()
            while time.monotonic() < deadline and not stopping:
                time.sleep(0.5)
            if stopping:
                return
