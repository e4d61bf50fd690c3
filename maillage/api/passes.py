"""POST /passes/redeem (a qualified place uses a pass) and GET /passes/{code} (checks it, uses nothing).

Both take a place member's API key. The answer's status says what happened: 200 used (or the
first answer again, for a retried idempotency key), 409 already used, 410 expired or blocked, 403
not at this place or not under the programme's rules, 404 unknown code, 422 a typo (caught by the
check character), 429 too many scans or too many unknown codes (a 15-minute lockout).
"""

from datetime import date, datetime

from django.utils import translation
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from maillage.accounts.models import Ability
from maillage.api.auth import ApiKey
from maillage.api.errors import WITH_KEY, answers
from maillage.api.types import Line
from maillage.passes import codes, refusals, services
from maillage.passes.models import Service
from maillage.places.models import Place
from maillage.ratelimit import client_address

router = Router(tags=["passes"], auth=ApiKey())


class RedeemIn(Schema):
    code: Line = Field(max_length=80, description="The pass code as typed or scanned (groups, case and QR prefix ok).")
    service: Service = Field(description="What the pass pays for; the programme says how many passes it costs.")
    idempotency_key: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Same key, same answer: no double.")
    place_id: int | None = Field(
        None, description="Where the pass is used; needed only when the organisation has several qualified places."
    )


class RedemptionOut(Schema):
    status: str = "redeemed"
    replayed: bool = Field(description="True when this key was already used: the first answer, nothing done again.")
    redemption_id: int
    place_id: int
    service: str
    codes: list[str] = Field(description="Every pass used: a service may cost several passes of the same handover.")
    value_cents: int
    minutes: int | None = Field(description="Accompaniment time the passes are worth, when the programme says.")
    redeemed_at: datetime


class CheckOut(Schema):
    """A place not qualified for the pass's programme gets only ``usable``, ``reason`` and ``message``."""

    code: str
    usable: bool
    reason: str = Field(description="Why it cannot be used here, as a key (already_redeemed, expired…), or empty.")
    message: str
    status: str | None = None
    program: str | None = None
    expires_on: date | None = None
    passes_left: int | None = Field(None, description="Passes of the same handover still usable, this one included.")
    services: dict[str, int] = Field(
        default_factory=dict, description="Services this place may use it for, and their cost in passes."
    )


# The request's names of the fields a refusal can be about (refusals.REFUSALS).
FIELDS = {"code": "code", "place": "place_id", "service": "service"}
REFUSED = {**WITH_KEY, **answers(403, 404, 409, 410, 429)}


def _refusal_answer(refusal, token):
    """The status and body of a refusal, in English (the messages' source text)."""
    with translation.override("en"):
        explanation = refusals.explained(refusal, token.organization_id)
    body = {"detail": explanation.message, "reason": explanation.reason, "field": FIELDS.get(explanation.field)}
    if explanation.redeemed_at is not None:
        body.update(redeemed_at=explanation.redeemed_at, place_id=explanation.place_id)
    return explanation.status, body


def _guarded(request, action):
    """The limits on typed codes, per key and per address, before any code is looked at."""
    return refusals.guarded("pass_scan_api", [f"token-{request.auth.pk}", client_address(request)], action)


def _places_of(token):
    return Place.objects.filter(organization=token.organization_id).only("pk", "organization_id")


@router.post(
    "/passes/redeem",
    response={200: RedemptionOut, **REFUSED},
    url_name="passes_redeem",
    operation_id="redeem_pass",
)
def redeem_pass(request, payload: RedeemIn):
    """Use a pass at one of your places. Retried with the same idempotency key, it answers as the
    first time and uses nothing more."""
    token = request.auth
    if not token.can(Ability.ACT):
        raise HttpError(403, "This key's member cannot use passes (viewers only read statistics).")
    try:
        redemption, replayed = _guarded(
            request,
            lambda: services.redeem(
                payload.code,
                places=_places_of(token),
                place=payload.place_id,
                service=payload.service,
                by=token.user,
                api_token=token,
                idempotency_key=payload.idempotency_key,
            ),
        )
    except refusals.PassActionRefused as refusal:
        return Status(*_refusal_answer(refusal, token))
    used = getattr(redemption, "taken_codes", None) or redemption.passes.values_list("code", flat=True)
    return Status(
        200,
        {
            "replayed": replayed,
            "redemption_id": redemption.pk,
            "place_id": redemption.place_id,
            "service": redemption.service,
            "codes": [codes.display(code) for code in used],
            "value_cents": redemption.value_cents,
            "minutes": redemption.minutes,
            "redeemed_at": redemption.redeemed_at,
        },
    )


@router.get(
    "/passes/{code}",
    response={200: CheckOut, **REFUSED},
    url_name="passes_check",
    operation_id="check_pass",
)
def check_pass(request, code: Line, place_id: int | None = None):
    """Check a code at one of your places: may it be used, for what, and how many passes are left."""
    token = request.auth
    if not token.can(Ability.ACT):
        raise HttpError(403, "This key's member cannot check passes (viewers only read statistics).")
    try:
        found = _guarded(request, lambda: services.check(code, places=_places_of(token), place=place_id))
    except refusals.PassActionRefused as refusal:
        return Status(*_refusal_answer(refusal, token))
    answer = {
        "code": codes.display(found.pass_item.code),
        "usable": found.usable,
        "reason": found.reason,
        "message": "",
    }
    if found.reason:
        with translation.override("en"):
            answer["message"] = str(refusals.message(found.reason))
    if found.reason != "not_qualified":  # a place outside the programme learns nothing more of the pass
        services_here = {str(service): cost for service, cost in found.services} if found.usable else {}
        answer.update(
            status=found.pass_item.status,
            program=found.program.name,
            expires_on=found.program.expires_on,
            passes_left=found.passes_left,
            services=services_here,
        )
    return Status(200, answer)
