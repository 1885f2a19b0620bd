"""The REST API root: /api/v1/. Each app contributes one router.

Authentication: ``Authorization: Bearer rd_…`` API tokens for agents, or the
console's session cookie (with CSRF) for the console's own calls. Errors are
JSON ``{"code", "message", "field"}`` with the status of the domain error.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from rightdesk.accounts.services import is_agent, user_for_token
from rightdesk.core.errors import DomainError


class TokenAuth(HttpBearer):
    """Bearer API tokens issued from the console; expired or revoked tokens fail."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class AgentSessionAuth(APIKeyCookie):
    """The console's own session, CSRF-checked on unsafe methods by ninja."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and is_agent(user):
            return user
        return None


api = NinjaAPI(
    title="Rightdesk API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), AgentSessionAuth()],
)


def _error(request: HttpRequest, status: int, code: str, message: str,
           field: str | None = None, **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    body.update(extra)
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in first.get("loc", []) if part not in ("body", "query", "path", "payload")]
    field = ".".join(loc) or None
    return _error(request, 422, "invalid", str(first.get("msg", "Invalid input.")), field,
                  errors=exc.errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "A valid API token or agent session is required.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


# Routers: one per app. Add one line per app.
# api.add_router("/customers/", "rightdesk.customers.api.router")
