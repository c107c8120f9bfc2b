"""Request ids, strong ETags under compression, JSON errors for everything under /api/, the
Content-Security-Policy header, and the idle and absolute time limits of signed-in sessions."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from lifecycle.infrastructure.logging import clean_request_id, set_request_id

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]

GZIP_ETAG_SUFFIX = "-gzip"


class RequestIdMiddleware:
    """Gives each request an id (the caller's X-Request-ID when well-formed) that log lines,
    audit events and the Celery tasks it enqueues carry."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = clean_request_id(request.headers.get("X-Request-ID")) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # read back with getattr by logging.RequestIdFilter
        set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            set_request_id("")
        response["X-Request-ID"] = request_id
        return response


class StrongETagGZipMiddleware(GZipMiddleware):
    """Compresses like Django's GZipMiddleware but keeps ETags strong.

    Django weakens a strong ETag when it compresses. A strong ETag must name one exact
    representation, so instead of weakening it we give the gzip representation its own strong tag
    (`"<tag>-gzip"`); lifecycle.api.conditional strips the suffix when comparing.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        etag = response.get("ETag")
        response = super().process_response(request, response)
        if etag and etag.startswith('"') and response.get("Content-Encoding") == "gzip":
            response.headers["ETag"] = f'{etag[:-1]}{GZIP_ETAG_SUFFIX}"'
        return response


_STATUS_CODES = {
    400: ("invalid", "The request is invalid."),
    401: ("not_authenticated", "Authentication credentials were not provided or are not valid."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "This endpoint only returns JSON."),
    409: ("conflict", "The request conflicts with the current state."),
    413: ("too_large", "The request body is too large."),
    414: ("too_large", "The request line is too long."),
    415: ("unsupported_media_type", "Send JSON with Content-Type: application/json."),
    429: ("throttled", "Too many requests."),
    500: ("server_error", "Something went wrong on our side. The error has been logged."),
    503: ("unavailable", "The service is temporarily unavailable. Try again shortly."),
}


def error_body(status: int, message: str | None = None, code: str | None = None) -> dict:
    default_code, default_message = _STATUS_CODES.get(status, ("error", "The request failed."))
    return {"message": message or default_message, "code": code or default_code}


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that API paths are never redirected to add a slash: a client that POSTs
    to /api/v1/projects gets a JSON 404 naming the problem, not a redirect that drops its body."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        return False if _is_api(request) else super().should_redirect_with_slash(request)


class ApiErrorMiddleware:
    """Every error under /api/ is the JSON error body of the API conventions, never HTML: also
    the ones raised before a DRF view runs (unknown URL, request too large, server error)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = JsonResponse(error_body(response.status_code), status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID", *_SECURITY_HEADERS):
            if header in response:
                replacement[header] = response[header]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import RequestDataTooBig
        from django.db import DatabaseError, InterfaceError

        from lifecycle import locks

        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request)
        if isinstance(exception, (DatabaseError, InterfaceError)) and is_connection_error(exception):
            from lifecycle.views import errors

            logger.error("database unavailable: %s", exception.__class__.__name__)
            return errors.service_unavailable(request)
        if locks.is_transient(exception):
            # A deadlock or lock timeout that kept recurring through every retry of the service
            # call (lifecycle.locks): the work may well succeed shortly, so 503 with Retry-After.
            from lifecycle.views import errors

            logger.warning("transient database conflict after retries: %s", locks.sqlstate(exception))
            return errors.service_unavailable(request)
        return None


# Set by the middleware below ApiErrorMiddleware; kept when it replaces an error response.
_SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


_CONNECTION_ERROR = re.compile(
    r"(connection|could not connect|server closed|terminating connection|the database system is|"
    r"connection refused|no connection to the server|SSL SYSCALL)",
    re.IGNORECASE,
)


def is_connection_error(exception: BaseException) -> bool:
    """Whether `exception` says the database connection is lost (an outage, answered with 503)."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, InterfaceError) or (
        isinstance(exception, OperationalError) and bool(_CONNECTION_ERROR.search(str(exception)))
    )


def content_security_policy() -> str:
    """The header value built from settings.CONTENT_SECURITY_POLICY (and CSP_REPORT_URI)."""
    directives = [f"{name} {value}".strip() for name, value in settings.CONTENT_SECURITY_POLICY.items()]
    if settings.CSP_REPORT_URI:
        directives.append(f"report-uri {settings.CSP_REPORT_URI}")
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy (and Permissions-Policy) header to every response.

    The policy allows scripts and styles from this site only: no inline <script>, event handler
    attributes, <style> blocks or style="" attributes, and no eval. A view that needs another
    policy sets the header itself and is left alone. With DEBUG on, Django's technical error
    pages (which are inline-styled) get no policy.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 400:
            return response
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


LOGIN_AT_KEY = "_security_login_at"
SEEN_AT_KEY = "_security_seen_at"
# The last-activity stamp is rewritten at most this often, so that a busy page does not turn
# every request into a session write; the idle limit is exact to within this many seconds.
ACTIVITY_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """Signs a browser session out after SESSION_IDLE_TIMEOUT seconds without a request, and
    SESSION_ABSOLUTE_TIMEOUT seconds after sign-in whatever the activity (0 turns either off).

    Both times are kept in the session (Unix seconds), set at sign-in (session_clocks_start) or,
    for a session older than this middleware, at its first request. An expired session is logged
    out (the session is flushed) and the request goes to the login page with a message and `next`
    set to the page asked for; htmx requests get a client-side redirect. Under /api/ the request goes on
    as anonymous, so DRF answers 401/403 in JSON. API calls that send an Authorization header
    (tokens) are not looked at. Must come after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token_call = _is_api(request) and "HTTP_AUTHORIZATION" in request.META
        if not token_call and request.user.is_authenticated:
            now = int(time.time())
            reason = self._expired(request, now)
            if reason:
                return self._sign_out(request, reason)
            _stamp(request.session, now)
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest, now: int) -> str | None:
        login_at = request.session.get(LOGIN_AT_KEY)
        seen_at = request.session.get(SEEN_AT_KEY)
        absolute = settings.SESSION_ABSOLUTE_TIMEOUT
        idle = settings.SESSION_IDLE_TIMEOUT
        if absolute and isinstance(login_at, int) and now - login_at >= absolute:
            return f"You were logged out because a session lasts at most {_duration(absolute)}. Please log in again."
        if idle and isinstance(seen_at, int) and now - seen_at >= idle:
            return f"You were logged out after {_duration(idle)} without activity. Please log in again."
        return None

    def _sign_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if _is_api(request):
            return self.get_response(request)
        messages.info(request, reason)
        htmx = HtmxDetails(request)  # HtmxMiddleware may not have run yet
        if htmx:
            # The page the partial belongs to, not the partial's own URL.
            login = redirect_to_login(htmx.current_url_abs_path or request.get_full_path())
            return HttpResponseClientRedirect(login.url)
        return redirect_to_login(request.get_full_path())


def _stamp(session: Any, now: int) -> None:
    if not isinstance(session.get(LOGIN_AT_KEY), int):
        session[LOGIN_AT_KEY] = now
    seen_at = session.get(SEEN_AT_KEY)
    if not isinstance(seen_at, int) or now - seen_at >= ACTIVITY_RESOLUTION_SECONDS:
        session[SEEN_AT_KEY] = now


def session_clocks_start(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """`user_logged_in` receiver (connected in LifecycleConfig.ready): a sign-in starts both
    clocks, so they count from the sign-in itself and the first page after it writes nothing."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[LOGIN_AT_KEY] = session[SEEN_AT_KEY] = now


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def json_error(status: int, message: str, code: str, fields: dict | None = None) -> JsonResponse:
    body: dict[str, Any] = {"message": message, "code": code}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


__all__ = [
    "ApiErrorMiddleware",
    "ContentSecurityPolicyMiddleware",
    "RequestIdMiddleware",
    "SessionTimeoutMiddleware",
    "StrongETagGZipMiddleware",
    "error_body",
    "json_error",
]


# --- Sessions, tokens and caches: private responses -------------------------------------------


class PrivateCacheControlMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user (a session or an
    API token), so that no shared proxy and no browser disk cache keeps a copy of what only that
    user may see (the back button after signing out on a shared computer, a proxy serving one
    person's project list to another).

    Left alone: responses to anonymous callers (static files, health checks, the login page),
    and responses that already say `no-store` (their own header is at least as strict; the report
    download's plain `no-store`, never_cache's). `no-store` forbids storing, not revalidating: an
    API client that keeps its own copy still sends If-None-Match and gets 304 (with this header
    too, as a 304 must repeat the 200's caching headers), and the server-side page cache
    (lifecycle.infrastructure.page_cache) keeps only the body, so pages served from it get the header here.

    Requests answered before AuthenticationMiddleware (static files served by WhiteNoise, the
    HTTPS redirect) have no user and are left alone; a request to an unknown API URL that only
    sends a token was never authenticated, and its 404 names nothing of anybody's.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _signed_in(request) and "no-store" not in response.get("Cache-Control", "").lower():
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    # The API's token authentication sets request.user too (DRF passes it down to the request).
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


# --- Request limits: a request line or a body over the limit --------------------------------------


class RequestLimitsMiddleware:
    """Refuses, before anything reads them, a request line longer than REQUEST_LINE_MAX_BYTES
    (414) and a body whose Content-Length is over the limit (413): DATA_UPLOAD_MAX_MEMORY_SIZE
    for form and JSON bodies, UPLOAD_MAX_BYTES (plus room for the form around the file) for file
    uploads. Under /api/ the answer is the JSON error body with code `too_large` and a message
    that names the limit; in the browser, a page that says what happened.

    The web server's own line limit is lifted (gunicorn.conf.py), so that this answer, not the
    server's plain-text one, is what a client sees. A body sent without a Content-Length
    (chunked) is still capped by Django when it is read: RequestDataTooBig, answered alike by
    `too_large_response` from the exception handlers.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        line = len(request.method or "") + len(request.get_full_path()) + len(" HTTP/1.1") + 1
        if line > settings.REQUEST_LINE_MAX_BYTES:
            message = f"The request line is longer than {settings.REQUEST_LINE_MAX_BYTES} bytes; send long values in the body."
            return too_large_response(request, message, status=414)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request)
        if length > limit:
            return too_large_response(request, f"The request body is larger than {limit} bytes.")
        return self.get_response(request)


def body_limit(request: HttpRequest) -> int:
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return settings.UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_response(request: HttpRequest, message: str | None = None, status: int = 413) -> HttpResponse:
    """The 413 (or 414) answer. Without a message it answers Django's RequestDataTooBig, raised
    while the body is read: the limit then is DATA_UPLOAD_MAX_MEMORY_SIZE, which for a file
    upload counts the form's other fields only."""
    if message is None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            message = f"The form's fields (files aside) are larger than {limit} bytes."
        else:
            message = f"The request body is larger than {limit} bytes."
    if _is_api(request):
        return JsonResponse(error_body(status, message, "too_large"), status=status)
    from django.template import loader

    return HttpResponse(loader.render_to_string("413.html", {"message": message}), status=status)
