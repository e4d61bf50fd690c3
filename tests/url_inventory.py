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
