"""One shape for every error the API answers, and the statuses each operation documents.

Ninja's own errors (an invalid field, a missing key) and ours (a refused pass) answer an
``ApiError``. What Django answers before or after ninja (an unknown URL, a wrong method, a crash)
is turned into the same JSON by ``ApiJsonErrorsMiddleware``: under /api/, no HTML page ever.
"""

from datetime import datetime
from http import HTTPStatus
from typing import Any

from django.http import Http404, JsonResponse
from ninja import Field, Schema
from ninja.errors import HttpError, ValidationError

REASONS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


class ApiError(Schema):
    detail: str = Field(description="What went wrong, in English.")
    reason: str = Field(
        description="A key for programs: invalid, unauthorized, forbidden, not_found, too_many_requests… "
        "or the reason a pass is refused (already_redeemed, expired, locked…)."
    )
    field: str | None = Field(None, description="The field of the request the error is about, if one is.")
    errors: list[dict[str, Any]] | None = Field(
        None, description="For an invalid request (422, reason invalid): each field refused, and why."
    )
    redeemed_at: datetime | None = Field(None, description="A pass already used: when.")
    place_id: int | None = Field(None, description="Where it was used, only when it was at one of your places.")


def answers(*statuses):
    """The ``response`` entries of an operation's errors: each status documented with ``ApiError``."""
    return dict.fromkeys(statuses, ApiError)


# Every operation can meet these: a malformed or invalid request, an unknown page or id.
INVALID = answers(400, 422)
WITH_KEY = answers(400, 401, 422)  # and every operation that takes a partner's key


def body(status, detail, **extra):
    return {"detail": detail, "reason": REASONS.get(status, "error"), **extra}


def _field_of(location):
    """The request's field an error is about: its path without "body"/"query"/"path" and the payload's name."""
    parts = [str(part) for part in location if part not in {"body", "query", "path", "payload", "filters"}]
    return ".".join(parts) or None


def _validation_error(api, request, exc):
    errors = [
        {"field": _field_of(error.get("loc", ())), "message": str(error.get("msg", "")), "type": error.get("type", "")}
        for error in exc.errors
    ]
    described = "; ".join(f"{error['field'] or 'request'}: {error['message']}" for error in errors)
    detail = f"The request does not fit the schema ({described})."
    return api.create_response(
        request, body(422, detail, field=errors[0]["field"] if errors else None, errors=errors), status=422
    )


def install(api):
    """Our bodies for ninja's errors (its defaults differ in shape from one error to another)."""
    api.add_exception_handler(ValidationError, lambda request, exc: _validation_error(api, request, exc))
    api.add_exception_handler(
        HttpError,
        lambda request, exc: api.create_response(request, body(exc.status_code, str(exc)), status=exc.status_code),
    )
    api.add_exception_handler(
        Http404, lambda request, exc: api.create_response(request, body(404, "Not found."), status=404)
    )


KEPT_HEADERS = ("Allow", "Retry-After")
JSON = "application/json; charset=utf-8"  # as ninja answers


class ApiJsonErrorsMiddleware:
    """Under /api/, an error Django answered as a page (unknown URL, wrong method, crash) in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            answer = JsonResponse(body(status, f"{HTTPStatus(status).phrase}."), status=status, content_type=JSON)
            for header in KEPT_HEADERS:
                if header in response:
                    answer[header] = response[header]
            return answer
        return response
