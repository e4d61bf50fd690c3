"""POST /help-requests (a partner records a request, with the person's consent) and GET /help-requests
(the requests its organisation sent or handles: their progress, not the people's details)."""

import math
from datetime import datetime, timedelta
from typing import Literal

from django.db.models import Q
from django.utils import timezone, translation
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from maillage.accounts.models import Ability
from maillage.api.auth import ApiKey
from maillage.api.errors import WITH_KEY, answers
from maillage.api.types import Line, Text
from maillage.helprequests import links, services
from maillage.helprequests.models import HelpRequest, Origin
from maillage.helprequests.models import Status as RequestStatuses
from maillage.helprequests.vocabulary import LANGUAGES, SUPPORT
from maillage.places.models import Place
from maillage.places.vocabulary import NEEDS
from maillage.territory.models import Commune

router = Router(tags=["help requests"], auth=ApiKey())
PAGE_SIZE = 50

Need = Literal[tuple(NEEDS)]
Language = Literal[tuple(key for key in LANGUAGES if key)]
Support = Literal[tuple(SUPPORT)]
RequestStatus = Literal[tuple(RequestStatuses.values)]
CONSENT_VALID_DAYS = 365


class Consent(Schema):
    given_at: datetime = Field(description="When the person agreed: within the year before the request's day.")
    channel: Literal["oral_desk", "oral_phone", "online"] = Field(description="How the person agreed.")

    @field_validator("given_at")
    @classmethod
    def within_the_year(cls, given_at):
        """Consent is asked for a request: one given more than a year before is not this one's."""
        moment = timezone.make_aware(given_at) if timezone.is_naive(given_at) else given_at
        if timezone.localdate(moment) < timezone.localdate() - timedelta(days=CONSENT_VALID_DAYS):
            raise ValueError(f"consent given more than {CONSENT_VALID_DAYS} days before the request")
        return moment


class HelpRequestIn(Schema):
    need: Need = Field(description="The need, as the site's keys: demarches, telephone, emails…")
    commune_insee: str = Field(pattern=r"^[0-9][0-9AB][0-9]{3}$", description="INSEE code of the person's commune.")
    contact_preference: Literal["call", "sms", "email"]
    phone: Line = Field("", max_length=30)
    email: Line = Field("", max_length=254)
    first_name: Line = Field("", max_length=60)
    language: Language | Literal[""] = ""
    specific_support: list[Support] = Field(default_factory=list)
    message: Text = Field("", max_length=1000, description="Context for the place; no health or money details.")
    place_id: int | None = Field(None, description="A chosen place; without it, the nearest suitable places.")
    consent: Consent
    idempotency_key: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Same key, same request: no double.")


class HelpRequestOut(Schema):
    id: int
    reference: str
    status: str
    status_label: str
    need: str
    commune_insee: str | None
    place_id: int | None
    outcome: str
    created_at: datetime
    status_changed_at: datetime
    follow_url: str | None = Field(description="The person's follow-up page (only in the answer to POST).")


class HelpRequestPage(Schema):
    count: int
    page: int
    pages: int
    results: list[HelpRequestOut]


def _out(request, help_request, with_link=False):
    return {
        "id": help_request.pk,
        "reference": help_request.reference,
        "status": help_request.status,
        "status_label": str(help_request.get_status_display()),
        "need": help_request.need,
        "commune_insee": help_request.commune_id,
        "place_id": help_request.place_id,
        "outcome": help_request.outcome,
        "created_at": help_request.created_at,
        "status_changed_at": help_request.status_changed_at,
        "follow_url": request.build_absolute_uri(links.follow_url(help_request)) if with_link else None,
    }


@router.post(
    "/help-requests",
    response={201: HelpRequestOut, 200: HelpRequestOut, **WITH_KEY, **answers(403)},
    url_name="help_requests_create",
    operation_id="create_help_request",
)
def create_help_request(request, payload: HelpRequestIn):
    """Record a request for a person who agreed to it. Sent again with the same idempotency key, it
    answers 200 with the first request and records nothing more."""
    token = request.auth
    if not token.can(Ability.ACT):
        raise HttpError(403, "This key's member cannot record requests (viewers only read statistics).")
    commune = Commune.objects.filter(pk=payload.commune_insee).first()
    if commune is None:
        raise HttpError(422, f"Unknown commune: {payload.commune_insee}.")
    place = None
    if payload.place_id is not None and (place := Place.objects.filter(pk=payload.place_id).first()) is None:
        raise HttpError(422, f"Place {payload.place_id} cannot receive requests: it does not exist.")
    given_at = payload.consent.given_at
    new = services.NewRequest(
        origin=Origin.REFERRAL,
        need=payload.need,
        commune=commune,
        contact_preference=payload.contact_preference,
        consent=True,  # the schema requires the consent: when and how the person agreed
        consent_channel=payload.consent.channel,
        consent_given_at=given_at,  # made aware by the schema (a time without zone is local time)
        phone=payload.phone,
        email=payload.email,
        first_name=payload.first_name,
        language=payload.language,
        specific_support=tuple(payload.specific_support),
        message=payload.message,
        place=place,
        referrer_organization=token.organization,
    )
    try:
        help_request = services.submit(new, by=token.user, idempotency_key=payload.idempotency_key)
    except services.RequestRefused as refused:
        with translation.override("en"):  # the API answers in the messages' source text
            raise HttpError(422, " ".join(str(message) for message in refused.errors.values())) from None
    if help_request.replayed:
        return Status(200, _out(request, help_request, with_link=True))
    return Status(201, _out(request, help_request, with_link=True))


class ListFilters(Schema):
    status: RequestStatus | None = Field(None, description="Only this status (new, referred, claimed, closed…).")
    page: int = Field(1, ge=1)


@router.get(
    "/help-requests",
    response={200: HelpRequestPage, **WITH_KEY, **answers(404)},
    url_name="help_requests_list",
    operation_id="list_help_requests",
)
def list_help_requests(request, filters: Query[ListFilters]):
    """The requests the key's organisation sent or whose place handles them, newest first, 50 a page."""
    organization = request.auth.organization
    requests = HelpRequest.objects.filter(
        Q(referrer_organization=organization) | Q(place__organization=organization)
    ).order_by("-created_at", "-pk")
    if filters.status:
        requests = requests.filter(status=filters.status)
    count = requests.count()
    pages = math.ceil(count / PAGE_SIZE)
    if filters.page > max(pages, 1):
        raise HttpError(404, f"Page {filters.page} does not exist: there are {pages} pages.")
    shown = requests[(filters.page - 1) * PAGE_SIZE : filters.page * PAGE_SIZE]
    return {"count": count, "page": filters.page, "pages": pages, "results": [_out(request, item) for item in shown]}
