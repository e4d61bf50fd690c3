"""What the scheduler does each day with the Pass numérique (``manage.py pass_upkeep``): prepare the
statements of past months, warn funders and distributors 30 and 15 days before a programme's passes
stop, then expire the unused ones and refund their value to the funder as a credit note. Nothing
acts without ``act``."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maillage import formatting
from maillage.accounts.models import Ability, User
from maillage.months import bounds as month_bounds
from maillage.notifications.models import Notification
from maillage.notifications.services import notify
from maillage.passes import services
from maillage.passes.models import Booklet, Handover, PassProgram, PassStatus, Redemption
from maillage.personal_data import PASS_HANDOVER

ALERT_DAYS = (30, 15)


def _people_to_warn(program):
    """Members of the funder and of the distributors still holding passes of the programme."""
    holding = Booklet.objects.filter(
        order__program=program, passes__status__in=[PassStatus.WITH_DISTRIBUTOR, PassStatus.HANDED_OUT]
    )
    organizations = {program.funder_id, *holding.values_list("distributor", flat=True).distinct()}
    return list(User.objects.able_to(Ability.READ, organizations - {None}).order_by("pk"))


def warn_before_expiry(program, alert, days, act):
    people = _people_to_warn(program)
    if act:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Pass numérique: %(program)s ends in %(days)s days") % {"program": program.name, "days": days}
            text = _(
                "The passes of %(program)s can be used until %(day)s. Passes still in stock or with "
                "distributors should be handed out before then: unused passes are refunded to the funder. "
                "%(link)s"
            )
            link = settings.SITE_URL + reverse("passes:program_detail", kwargs={"program_id": program.pk})
            body = text % {
                "program": formatting.after_de(program.name),
                "day": formatting.day(program.expires_on),
                "link": link,
            }
        for person in people:
            notify(
                f"pass-expiry:{program.pk}:{alert}:{person.pk}", Notification.Channel.EMAIL, person.email, body, subject
            )
    return f"{program.name}: ends in {days} days (J-{alert} alert), warn {len(people)} member(s)"


def prepare_statements(act, today):
    """Statements for every past month with passes used and not yet in a statement (idempotent)."""
    this_month, _end = month_bounds(today)
    due = Redemption.objects.active().filter(payout__isnull=True, redeemed_at__lt=this_month)
    months = sorted({timezone.localdate(moment).replace(day=1) for moment in due.values_list("redeemed_at", flat=True)})
    done = []
    for month in months:
        if act:
            count = len(services.create_payouts(month))
        else:
            start, end = month_bounds(month)
            count = due.filter(redeemed_at__gte=start, redeemed_at__lt=end).values("place").distinct().count()
        done.append(f"{month:%Y-%m}: prepare {count} statement(s)")
    return done


def forget_handover_details(program, act, today):
    """Erase who the passes reached, a year after they stopped (personal_data.PASS_HANDOVER)."""
    if (today - program.expires_on).days <= PASS_HANDOVER.kept_for_days:
        return []
    details = Handover.objects.filter(passes__program=program).exclude(age_band="", public="", commune=None)
    count = details.distinct().count()
    if not count:
        return []
    if act:
        Handover.objects.filter(pk__in=details.values("pk")).update(age_band="", public="", commune=None)
    return [f"{program.name}: erase the details of {count} handover(s)"]


def run(act, today=None):
    today = today or timezone.localdate()
    done = prepare_statements(act, today)
    for program in PassProgram.objects.order_by("pk"):
        days_left = (program.expires_on - today).days
        # The nearest alert not yet past: a day the job did not run is caught up the next day (each
        # person is told once per alert, by the notification's key).
        alert = min((days for days in ALERT_DAYS if 0 <= days_left <= days), default=None)
        if alert is not None:
            done.append(warn_before_expiry(program, alert, days_left, act))
        elif days_left < 0:
            unused = program.passes.filter(status__in=services.TRANSITIONS["expire"][0]).count()
            if unused:
                expired = services.expire_program(program, today=today) if act else unused
                done.append(f"{program.name}: expire {expired} unused pass(es), refund the paid ones to the funder")
            done += forget_handover_details(program, act, today)
    return done
