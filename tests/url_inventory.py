"""Every URL pattern of the project, listed from the URL conf, with sample arguments per role.

The crawler and the access matrix both walk this list, so a new view is covered the day it is
added. A pattern with an argument nobody knows how to fill makes both tests fail loudly: add
a sample below.
"""

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

# Public on purpose. A view marked login_not_required that is not listed here fails the
# access matrix: making a page public must be a decision, not an accident.
PUBLIC_URL_NAMES = {
    "home",
    "accessibility",
    "legal_notice",
    "privacy",
    "set_language",
    "territory:commune_suggestions",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:invitation_accept",
    "places:open_data",
    "places:search",
    "places:detail",
    "activities:workshop_search",
    "activities:workshop_session",
    "activities:registration",
    "places:report",
    "places:report_thanks",
    "places:places_csv",
    "places:places_json",
    "places:places_geojson",
    "places:data_inclusion_structures",
    "places:data_inclusion_services",
    # Asking for help needs no account; a signed link follows the request.
    "helprequests:ask",
    "helprequests:confirmation",
    "helprequests:follow",
    "helprequests:withdraw",
    "helprequests:place_referral",
    # The JSON API (maillage/api): every URL ninja builds is public, read-only.
    "api:api-root",
    "api:openapi-json",
    "api:places_list",
    "api:place_detail",
    # Public to Django's login, but every operation needs a partner's API key (maillage/api/auth.py).
    "api:help_requests_create",
    "api:help_requests_list",
    "api:passes_redeem",
    "api:passes_check",
}

# Not pages: they answer JSON or CSV (open data files), or only act on POST.
# The crawler checks they do not fail, not axe.
NOT_HTML_PAGES = {
    "helprequests:claim",
    "helprequests:accept",
    "helprequests:decline",
    "helprequests:log_contact",
    "helprequests:book",
    "helprequests:close",
    "helprequests:assign",
    "helprequests:refer",
    "helprequests:reoffer",
    "helprequests:transfer",
    "territory:commune_suggestions",
    "set_language",
    "accounts:logout",
    "accounts:invitation_revoke",
    "accounts:api_key_revoke",
    "places:confirm",
    "places:correction_resolve",
    "activities:delete",
    "activities:export",
    "activities:person_data_json",
    "activities:session_register",
    "activities:attendance",
    "activities:session_cancel",
    "activities:registration_cancel",
    "passes:order_paid",
    "passes:payout_paid",
    "passes:redemption_cancel",
    "passes:program_report_csv",
    "passes:order_booklets_pdf",
    "passes:booklet_pdf",
    "passes:payout_pdf",
    "passes:payout_csv",
    "passes:bank_transfers",
    "places:places_csv",
    "places:places_json",
    "places:places_geojson",
    "places:data_inclusion_structures",
    "places:data_inclusion_services",
    "api:api-root",  # ninja's root of the API: a 404 that only serves to reverse the API's paths
    "api:openapi-json",
    "api:places_list",
    "api:place_detail",
    "api:help_requests_create",
    "api:help_requests_list",
    "api:passes_redeem",
    "api:passes_check",
}


@dataclass(frozen=True)
class Route:
    name: str
    view: object
    arguments: tuple

    @property
    def is_public(self):
        return getattr(self.view, "login_required", True) is False


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            child_namespace = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, child_namespace)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(f"URL pattern {pattern.pattern} has no name: every page must be named.")
            yield Route(
                name=f"{namespace}{pattern.name}",
                view=pattern.callback,
                arguments=tuple(pattern.pattern.converters),
            )


def all_routes():
    return list(_walk(get_resolver().url_patterns))


class MissingSample(AssertionError):
    pass


def sample_arguments(route, world):
    """Arguments that open ``route`` on the objects of ``world`` (an organisation and its people)."""
    from django.utils import timezone

    from maillage.helprequests import links

    values = {}
    for argument in route.arguments:
        key = (route.name, argument)
        if key == ("accounts:password_reset_confirm", "uidb64"):
            values[argument] = urlsafe_base64_encode(force_bytes(world.member.pk))
        elif key == ("accounts:password_reset_confirm", "token"):
            values[argument] = default_token_generator.make_token(world.member)
        elif key == ("accounts:invitation_accept", "token"):
            values[argument] = world.invitation_token
        elif argument == "organization_id":
            values[argument] = world.organization.pk
        elif argument == "membership_id":
            values[argument] = world.membership.pk
        elif argument == "invitation_id":
            values[argument] = world.invitation.pk
        elif argument == "place_id" or key == ("api:place_detail", "id"):
            values[argument] = world.place.pk
        elif argument == "correction_id":
            values[argument] = world.correction.pk
        elif argument == "token_id":
            values[argument] = world.api_token.pk
        elif argument == "request_id":
            values[argument] = world.help_request.pk
        elif key == ("helprequests:place_referral", "token"):
            values[argument] = links.place_token_for(world.help_request, world.place)
        elif argument == "record_id":
            values[argument] = world.accompaniment.pk
        elif argument in ("year", "month"):  # this month: the latest a monthly summary shows
            values[argument] = getattr(timezone.localdate(), argument)
        elif argument == "person_id":
            values[argument] = world.person.pk
        elif argument == "session_id":
            values[argument] = world.registration.session_id
        elif argument == "registration_id":
            values[argument] = world.registration.pk
        elif key == ("activities:registration", "token"):
            from maillage.activities import workshops

            values[argument] = workshops.token_for(world.registration)
        elif argument in ("program_id", "order_id", "booklet_id", "redemption_id", "payout_id"):
            values[argument] = getattr(world.passes, argument.removesuffix("_id")).pk
        elif key == ("passes:bank_transfers", "file_format"):
            values[argument] = "csv"
        elif key == ("api:passes_check", "code"):
            values[argument] = "7K2MQ-X9RH4-TB3WE"
        elif route.name.startswith("helprequests:") and argument == "token":
            values[argument] = world.help_request_token
        else:
            raise MissingSample(
                f"No sample value for argument {argument!r} of {route.name}: add one in tests/url_inventory.py"
            )
    return values


def url_for(route, world):
    return reverse(route.name, kwargs=sample_arguments(route, world))


@dataclass
class OrganizationWorld:
    """An organisation with an admin, another member and a pending invitation."""

    organization: object
    admin: object
    member: object
    membership: object
    invitation: object
    invitation_token: str
    place: object
    correction: object
    help_request: object
    help_request_token: str
    api_token: object
    passes: object
    accompaniment: object
    person: object
    registration: object


@dataclass
class PassSamples:
    program: object
    order: object
    booklet: object
    redemption: object
    payout: object


def organization_world(organization):
    from maillage.accounts.models import Ability, ApiToken, Invitation, Membership
    from maillage.accounts.services import invitation_token
    from maillage.helprequests import links
    from maillage.places.models import Place, PlaceCorrection

    admin_membership = Membership.objects.able_to(Ability.MANAGE).of(organization).select_related("user").first()
    other = Membership.objects.of(organization).exclude(pk=admin_membership.pk).select_related("user").first()
    other = other or admin_membership
    place = Place.objects.filter(organization=organization).order_by("pk").first() or _sample_place(organization)
    invitation = Invitation.objects.create(
        organization=organization, email=f"invited-{organization.pk}@example.org", role=Membership.Role.MEDIATOR
    )
    help_request = _sample_help_request(place)
    return OrganizationWorld(
        organization=organization,
        admin=admin_membership.user,
        member=other.user,
        membership=other,
        invitation=invitation,
        invitation_token=invitation_token(invitation),
        place=place,
        correction=PlaceCorrection.objects.create(place=place, kind=PlaceCorrection.Kind.HOURS),
        help_request=help_request,
        help_request_token=links.token_for(help_request),
        api_token=ApiToken.issue(organization, admin_membership.user, "Logiciel")[0],
        passes=_sample_passes(organization, place, admin_membership.user),
        accompaniment=_sample_accompaniment(organization, place, admin_membership.user),
        person=_sample_person(organization, admin_membership.user),
        registration=_sample_registration(organization, place, admin_membership.user),
    )


def _sample_registration(organization, place, by):
    """A workshop session at the place tomorrow, with one person registered."""
    import datetime

    from django.utils import timezone

    from maillage.activities import workshops

    workshop = workshops.create_workshop(
        organization=organization,
        place=place,
        by=by,
        first_start=timezone.now() + datetime.timedelta(days=1),
        title="Premiers pas sur la tablette",
        themes=["equipment"],
        description="Venez avec votre tablette.",
        capacity=8,
        duration_minutes=120,
    )
    return workshops.register(workshop.sessions.get(), first_name="Amina", phone="+33612345678")


def _sample_person(organization, recorded_by):
    from maillage.activities import beneficiaries

    return beneficiaries.record_person(
        organization=organization,
        by=recorded_by,
        first_name="Yvette",
        consent_way="oral",
        consent_purposes=["follow_up"],
    )


def _sample_accompaniment(organization, place, author):
    from django.utils import timezone

    from maillage.activities import services

    return services.record(
        organization=organization,
        author=author,
        day=timezone.localdate(),
        duration_minutes=30,
        place=place,
        themes=["email"],
        autonomy="with_help",
    )


def _sample_passes(organization, place, member):
    """A paid order of a programme that qualifies the place; a booklet with the organisation (made a
    distributor), two passes used at the place, one of them already in a statement."""
    from django.utils import timezone

    from maillage.accounts.models import Organization
    from maillage.passes import services

    funder = Organization.objects.filter(is_funder=True).first() or Organization.objects.create(
        name="Financeur", is_funder=True
    )
    if not organization.is_pass_distributor:
        Organization.objects.filter(pk=organization.pk).update(is_pass_distributor=True)
        organization.refresh_from_db()
    today = timezone.localdate()
    program = services.create_program(
        funder=funder,
        by=None,
        name=f"Pass numérique de {organization.name}",
        minutes_per_pass=60,
        service_costs={"individual": 1, "workshop": 1},
        starts_on=today.replace(day=1),
        ends_on=today.replace(year=today.year + 1),
        qualified_places=[place],
        department_codes=["49"],
    )
    order = services.order_passes(program, pass_count=10, booklet_size=5, by=None)
    services.mark_order_paid(order, by=None)
    booklet, handed = services.assign_booklets(order, distributor=organization, count=2, by=None)
    services.hand_out(handed, distributor=organization, by=member)
    passes = list(handed.passes.order_by("position"))
    services.redeem(passes[0].code, place=place, service="individual", by=member)  # then in the statement
    payout = services.create_payouts(today)[0]
    redemption, _ = services.redeem(passes[1].code, place=place, service="workshop", by=member)
    return PassSamples(program=program, order=order, booklet=booklet, redemption=redemption, payout=payout)


def _sample_help_request(place):
    from tests.helprequests.factories import new_request

    return new_request(place=place)


def _sample_place(organization):
    from datetime import date

    from maillage.places.models import Place

    return Place.objects.create(
        name="Espace numérique de la médiathèque",
        address="49 rue Toussaint",
        postcode="49000",
        commune_name="Angers",
        commune_id="49007",
        latitude=47.4696,
        longitude=-0.554,
        phone="+33241242550",
        opening_hours="Tu-Sa 10:00-18:00",
        services=["Aide aux démarches administratives"],
        fees=["Gratuit"],
        organization=organization,
        updated_on=date(2026, 11, 1),
    )
