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
from maillage.passes import codes, services
from maillage.passes.models import Pass, Service
from maillage.passes.refusals import GUESSING_SIGNS, REFUSALS, SCANS_PER_MINUTE, code_lockout, message
from maillage.places.models import Place
from maillage.ratelimit import client_address, is_over_limit

router = Router(tags=["passes"], auth=ApiKey())


class RedeemIn(Schema):
    code: str = Field(max_length=80, description="The pass code as typed or scanned (groups, case and QR prefix ok).")
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


class Refusal(Schema):
    detail: str
    reason: str
    redeemed_at: datetime | None = None
    place_id: int | None = Field(None, description="Where it was used, only when it was at one of your places.")


def _english(reason):
    with translation.override("en"):
        return str(message(reason))


def _guard(request):
    """Rate limit and lockout, per key and per address, before any code is looked at."""
    identities = [f"token-{request.auth.pk}", client_address(request)]
    if code_lockout.is_locked(*identities):
        raise HttpError(429, f"Too many unknown codes: wait {code_lockout.wait_minutes} minutes.")
    if any(is_over_limit("pass_scan_api", identity, SCANS_PER_MINUTE, 60) for identity in identities):
        raise HttpError(429, "Too many scans in a minute: wait a moment.")
    return identities


def _place(token, place_id, code):
    """The place of the key's organisation where the pass is used."""
    places = Place.objects.filter(organization=token.organization_id).only("pk", "organization_id")
    if place_id is not None:
        place = places.filter(pk=place_id).first()
        if place is None:
            raise HttpError(403, f"Place {place_id} is not one of this organisation's places.")
        return place
    candidates = list(places[:2])
    if len(candidates) == 1:
        return candidates[0]
    program_id = Pass.objects.filter(code=code).values_list("program", flat=True).first()
    if program_id is None:
        raise services.PassActionRefused("unknown")  # counted towards the lockout like any unknown code
    qualified = list(places.filter(pass_programs=program_id)[:2])
    if len(qualified) == 1:
        return qualified[0]
    if not candidates:
        raise HttpError(403, "This organisation has no place.")
    raise HttpError(422, "This organisation has several places: say which one with place_id.")


def _refusal_answer(refusal, token, identities):
    if refusal.reason in GUESSING_SIGNS:
        code_lockout.record_failure(*identities)
    status = REFUSALS.get(refusal.reason, (409,))[0]
    body = {"detail": _english(refusal.reason), "reason": refusal.reason}
    redemption = refusal.details.get("redemption")
    if refusal.reason == "already_redeemed" and redemption is not None:
        body["redeemed_at"] = redemption.redeemed_at
        if redemption.organization_id == token.organization_id:
            body["place_id"] = redemption.place_id
    return status, body


def _read(code, token, identities):
    try:
        return services.read_code(code)
    except services.PassActionRefused as refusal:
        raise _AsResponse(*_refusal_answer(refusal, token, identities)) from None


class _AsResponse(Exception):
    def __init__(self, status, body):
        self.status, self.body = status, body


@router.post(
    "/passes/redeem",
    response={200: RedemptionOut, 403: Refusal, 404: Refusal, 409: Refusal, 410: Refusal, 422: Refusal},
    url_name="passes_redeem",
    operation_id="redeem_pass",
)
def redeem_pass(request, payload: RedeemIn):
    """Use a pass at one of your places. Retried with the same idempotency key, it answers as the
    first time and uses nothing more."""
    token = request.auth
    identities = _guard(request)
    if not token.can(Ability.ACT):
        raise HttpError(403, "This key's member cannot use passes (viewers only read statistics).")
    try:
        code = _read(payload.code, token, identities)
        place = _place(token, payload.place_id, code)
        redemption, replayed = services.redeem(
            code,
            place=place,
            service=payload.service,
            by=token.user,
            api_token=token,
            idempotency_key=payload.idempotency_key,
        )
    except services.PassActionRefused as refusal:
        return Status(*_refusal_answer(refusal, token, identities))
    except _AsResponse as answer:
        return Status(answer.status, answer.body)
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
    response={200: CheckOut, 403: Refusal, 404: Refusal, 422: Refusal},
    url_name="passes_check",
    operation_id="check_pass",
)
def check_pass(request, code: str, place_id: int | None = None):
    """Check a code at one of your places: may it be used, for what, and how many passes are left."""
    token = request.auth
    identities = _guard(request)
    try:
        canonical = _read(code, token, identities)
        place = _place(token, place_id, canonical)
        found = services.check(canonical, place=place)
    except services.PassActionRefused as refusal:
        return Status(*_refusal_answer(refusal, token, identities))
    except _AsResponse as answer:
        return Status(answer.status, answer.body)
    answer = {
        "code": codes.display(canonical),
        "usable": found.usable,
        "reason": found.reason,
        "message": _english(found.reason) if found.reason else "",
    }
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
