"""The REST API root: /api/v1/. Each app contributes one router.

Authentication: ``Authorization: Bearer rd_…`` API tokens for agents, or the
console's session cookie (with CSRF) for the console's own calls. Errors are
JSON ``{"code", "message", "field"}`` with the status of the domain error.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from rightdesk.accounts.services import is_agent, user_for_token
from rightdesk.core.errors import DomainError, Forbidden, Invalid


class TokenAuth(HttpBearer):
    """Bearer API tokens issued from the console; expired or revoked tokens fail."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class AgentSessionAuth(APIKeyCookie):
    """The console's own session; unsafe methods must carry the CSRF token.

    A request that offers an ``Authorization`` header is judged by its token
    alone, so a bad token is a 401 whatever cookies come along. A logged-in user
    who is not an agent is refused with 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        key = request.COOKIES.get(self.param_name)
        user = getattr(request, "user", None)
        if not key or not isinstance(user, User) or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise Forbidden(
                "The CSRF token is missing or wrong; send the X-CSRFToken header.",
                code="csrf_failed",
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is None:
            return None
        user = request.user
        assert isinstance(user, User)  # guaranteed by _get_key
        if not is_agent(user):
            raise Forbidden("Only agents may use the API.", code="not_agent")
        return user


def _nul_at(value: Any, loc: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in decoded input a NUL character sits, as a validation location, or None."""
    if isinstance(value, str):
        return loc if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found = _nul_at(item, (*loc, key))
        if found is not None:
            return found
    return None


class StrictParser(Parser):
    """ninja's JSON and query-string parsing, refusing text with NUL characters by name.

    No database keeps them as text (PostgreSQL refuses them outright), and no
    person types them: such input is a 422 naming the field, never a server error.
    """

    def _checked(self, data: dict[str, Any]) -> dict[str, Any]:
        loc = _nul_at(data)
        if loc is not None:
            raise Invalid(
                "Text may not contain NUL characters (\\u0000).",
                code="nul_character",
                field=_field_of({"loc": loc}),
            )
        return data

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return self._checked(super().parse_body(request))

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return self._checked(super().parse_querydict(data, list_fields, request))


api = NinjaAPI(
    title="Rightdesk API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), AgentSessionAuth()],
    parser=StrictParser(),
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    body.update(extra)
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field)


#: Parts of a pydantic error location that name where a value came from, not which one.
_LOCATION_PARTS = ("body", "query", "path", "payload", "params", "header", "cookie")


def _field_of(error: dict[str, Any]) -> str | None:
    """``tickets[1].subject``: the same spelling as the services' field names."""
    field = ""
    for part in error.get("loc", []):
        if part in _LOCATION_PARTS:
            continue
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += f".{part}" if field else str(part)
    return field or None


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [dict(error) for error in exc.errors]
    first = errors[0] if errors else {}
    details = [
        {
            "field": _field_of(error),
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]
    return _error(
        request,
        422,
        "invalid",
        str(first.get("msg", "Invalid input.")),
        _field_of(first),
        errors=details,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request, 401, "unauthenticated", "A valid API token or agent session is required."
    )
    response["WWW-Authenticate"] = 'Bearer realm="rightdesk"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0).replace("\xa0", " ")
    return _error(
        request,
        413,
        "too_large",
        f"The request body is larger than the {limit} this server accepts; "
        "send fewer or smaller items per request.",
    )


_HTTP_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja reports any failure of the body parser as "Cannot parse request body";
    # a refusal the parser names itself (a NUL character) keeps its own answer.
    if isinstance(exc.__cause__, DomainError):
        return _domain_error(request, exc.__cause__)
    return _error(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), str(exc))


# Routers: one per app. Add one line per app.
api.add_router("/accounts/", "rightdesk.accounts.api.router")
api.add_router("/customers/", "rightdesk.customers.api.router")
api.add_router("/tickets/", "rightdesk.tickets.api.router")
api.add_router("/tickets/", "rightdesk.quality.api.router")
api.add_router("/search/", "rightdesk.search.api.router")
api.add_router("/orders/", "rightdesk.commerce.api.router")
api.add_router("/refunds/", "rightdesk.commerce.api.refunds_router")
api.add_router("/custody/", "rightdesk.custody.api.router")
api.add_router("/commitments/", "rightdesk.commitments.api.router")
api.add_router("/sla/", "rightdesk.sla.api.router")
api.add_router("/notifications/", "rightdesk.notifications.api.router")
