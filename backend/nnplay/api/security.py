"""ASGI middleware at the edge: Host header check, cross-origin (CSRF) guard, security headers,
request body size limit and bearer-token auth; and the log filter that keeps tokens out of logs.

Auth applies when ``api_token`` is set: every ``/api/*`` route except ``/api/health`` needs
``Authorization: Bearer <token>``; a websocket may instead pass ``?token=<token>`` (browsers cannot
set headers on websockets). A refused HTTP request answers 401; a refused websocket is accepted and
closed with code 1008 (policy violation).
"""

import hashlib
import base64
import hmac
import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

OPEN_PATHS = {"/api/health"}
MULTIPART_ALLOWANCE = 64 * 1024  # bytes of an upload's body that are not the file: boundaries, headers, fields


async def _send_json(send, status: int, body: dict, headers: list | None = None) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})


class BodyLimitMiddleware:
    """Answers 413 naming the limit when a request body exceeds ``max_bytes`` (or, for a POST to a path
    in ``uploads``, that path's own ``(max_bytes, setting name)``).

    A declared Content-Length is checked at once; a body without one (chunked) is read up to the
    limit before the app sees it, then replayed.
    """

    def __init__(self, app, max_bytes: int, uploads: dict[str, tuple[int, str]] | None = None):
        self.app, self.max_bytes, self.uploads = app, max_bytes, uploads or {}

    def _limit(self, scope) -> tuple[int, str]:
        """An upload path's limit leaves room for the multipart envelope (boundaries, part headers and
        form fields, up to ``MULTIPART_ALLOWANCE`` bytes): the route checks the file itself against
        the exact limit, so a file of exactly ``max_upload_bytes`` is accepted."""
        if scope.get("method") == "POST" and scope.get("path") in self.uploads:
            limit, setting = self.uploads[scope["path"]]
            return limit + MULTIPART_ALLOWANCE, setting
        return self.max_bytes, "max_body_bytes"

    @staticmethod
    def _refusal(size: str, limit: int, setting: str) -> dict:
        """The one error shape of bad input (see nnplay.api.errors): an entry at ``body``."""
        msg = f"the request body is {size} bytes; the limit {setting} is {limit:,} (setting NNPLAY_{setting.upper()})"
        return {"detail": [{"loc": ["body"], "field": "body", "msg": msg, "type": "too_large"}]}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit, setting = self._limit(scope)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > limit:
                return await _send_json(send, 413, self._refusal(f"{int(length):,}", limit, setting))
            return await self.app(scope, receive, send)
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > limit:
                return await _send_json(send, 413, self._refusal(f"more than {limit:,}", limit, setting))
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def token_of(scope) -> str | None:
    """The bearer token of a request: the Authorization header, or ``?token=`` for websockets."""
    auth = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if scope["type"] == "websocket":
        return parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
    return None


class TokenAuthMiddleware:
    """Requires the bearer ``token`` on ``/api/*`` (but /api/health)."""

    def __init__(self, app, token: str):
        self.app, self.token = app, token

    def _allowed(self, scope) -> bool:
        path = scope.get("path", "")
        if not path.startswith("/api/") or path in OPEN_PATHS:
            return True
        given = token_of(scope)
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            return await self.app(scope, receive, send)
        if scope["type"] == "http":
            return await _send_json(send, 401, {"detail": "missing or wrong API token: send "
                                                "'Authorization: Bearer <NNPLAY_API_TOKEN>'"},
                                    [(b"www-authenticate", b"Bearer")])
        await _refuse_websocket(receive, send, "missing or wrong API token")


async def _refuse_websocket(receive, send, reason: str) -> None:
    """Accept, then close with 1008 (policy violation) and ``reason``: a browser sees the reason."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})


def _header(scope, name: bytes) -> str | None:
    value = dict(scope.get("headers") or []).get(name)
    return None if value is None else value.decode("latin-1")


def host_name(netloc: str) -> str | None:
    """``"127.0.0.1:8000"`` -> ``"127.0.0.1"``, ``"[::1]:8000"`` -> ``"::1"``, ``"Example.org"`` ->
    ``"example.org"``; None for a value that is not a host[:port]."""
    try:
        parts = urlsplit(f"//{netloc}")
        _ = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    return parts.hostname


class HostCheckMiddleware:
    """Answers 400 (JSON, naming the setting) to an HTTP request or websocket whose ``Host`` header
    names a host outside ``allowed``: a DNS-rebinding page (evil.example resolving to 127.0.0.1) then
    cannot reach the API. ``"*"`` allows any host; ``"*.example.org"`` any subdomain.

    Starlette's TrustedHostMiddleware does the same but reads ``[::1]:8000`` as host ``[`` and answers
    plain text, so the check is done here with ``urllib.parse``.
    """

    def __init__(self, app, allowed: list[str]):
        self.app, self.allowed = app, {h.lower().strip("[]") for h in allowed}

    def _ok(self, host: str | None) -> bool:
        if "*" in self.allowed:
            return True
        if host is None:
            return False
        return host in self.allowed or any(a.startswith("*.") and host.endswith(a[1:]) for a in self.allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        given = _header(scope, b"host") or ""
        if self._ok(host_name(given)):
            return await self.app(scope, receive, send)
        reason = (f"the Host header {given[:100]!r} is not an allowed host: add it to the setting "
                  "NNPLAY_ALLOWED_HOSTS")
        if scope["type"] == "websocket":
            return await _refuse_websocket(receive, send, "Host header not allowed (NNPLAY_ALLOWED_HOSTS)")
        await _send_json(send, 400, {"detail": reason})


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CrossOriginGuard:
    """Refuses what a browser sends from another site: state-changing requests (any method but GET,
    HEAD, OPTIONS) answer 403 before the app sees them; websocket handshakes (which CORS does not
    cover) are closed with 1008. This stops cross-site forms and ``fetch(..., {mode: "no-cors"})``.

    The rule is Go's ``net/http.CrossOriginProtection`` (Go 1.25; F. Valsorda, "Cross-Site Request
    Forgery", 2025): ``Sec-Fetch-Site: same-origin`` or ``none`` passes; a request with neither
    ``Sec-Fetch-Site`` nor ``Origin`` passes (it is not from a browser: curl, scripts, notebooks);
    otherwise the ``Origin`` must be this server's own (its host:port equals the ``Host`` header) or one
    of ``trusted`` (the ``cors_origins`` setting). ``same-site`` is not enough: another port on
    localhost is the same site.
    """

    def __init__(self, app, trusted: list[str]):
        self.app, self.trusted = app, {o.rstrip("/").lower() for o in trusted}

    def allowed(self, scope) -> bool:
        if scope["type"] == "http" and scope.get("method", "GET") in SAFE_METHODS:
            return True
        site, origin = _header(scope, b"sec-fetch-site"), _header(scope, b"origin")
        if site in ("same-origin", "none"):
            return True
        if origin is None:
            return site is None
        origin = origin.rstrip("/").lower()
        if origin in self.trusted:
            return True
        host = (_header(scope, b"host") or "").lower()
        return site is None and bool(host) and urlsplit(origin).netloc == host

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or self.allowed(scope):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await _refuse_websocket(receive, send, "cross-origin websocket refused")
        await _send_json(send, 403, {"detail": "cross-origin request refused: a state-changing request must "
                                     "come from this server's page or from a non-browser client (or an "
                                     "origin in the setting NNPLAY_CORS_ORIGINS)"})


def content_security_policy(script_hashes: tuple[str, ...] = ()) -> str:
    """The page's CSP: scripts and everything else from this server only, no framing, no plugins.

    Styles allow ``'unsafe-inline'``: plotly.js writes its own ``<style>`` rules and ``style``
    attributes at run time. ``connect-src 'self'`` covers the same-origin websocket (CSP level 3).
    Images allow ``data:`` and ``blob:`` (plotly's image export and its mode-bar icons).
    ``script_hashes``: ``'sha256-...'`` sources for a page with a fixed inline script (/docs).
    """
    scripts = " ".join(("'self'", *script_hashes))
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; "
            "font-src 'self' data:; "
            "connect-src 'self'; "
            "worker-src 'self' blob:; "
            "object-src 'none'; "
            "base-uri 'none'; "
            "form-action 'self'; "
            "frame-ancestors 'none'")


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """``'sha256-<base64>'`` of each inline ``<script>`` of ``html`` (CSP level 2 hash sources)."""
    bodies = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return tuple(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies)


class SecurityHeadersMiddleware:
    """Adds to every HTTP response: ``Content-Security-Policy`` (unless the route set its own),
    ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (for browsers without
    ``frame-ancestors``), ``Referrer-Policy: no-referrer`` and ``Cross-Origin-Opener-Policy``."""

    def __init__(self, app, csp: str):
        self.app = app
        self.headers = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                        (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
                        (b"cross-origin-opener-policy", b"same-origin")]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


TOKEN_IN_TEXT = re.compile(r"((?:^|[?&;])token=)[^&\s\"']*", re.I)


def redact(text: str) -> str:
    """``"/api/jobs/x/stream?after=3&token=abc"`` -> ``"...&token=<redacted>"``."""
    return TOKEN_IN_TEXT.sub(r"\1<redacted>", text)


class RedactTokens(logging.Filter):
    """A logging filter that rewrites a record whose message carries ``token=...`` (uvicorn's access
    and websocket lines log the whole URL, query string included) with the token replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        if "token=" in message.lower():
            record.msg, record.args = redact(message), ()
        return True


def redact_tokens_in_logs(names=("uvicorn", "uvicorn.access", "uvicorn.error")) -> None:
    """Installs RedactTokens on uvicorn's loggers (and their handlers), once."""
    for name in names:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if not any(isinstance(f, RedactTokens) for f in target.filters):
                target.addFilter(RedactTokens())
