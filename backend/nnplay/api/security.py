"""ASGI middleware at the edge: request body size limit and bearer-token auth.

Auth applies when ``api_token`` is set: every ``/api/*`` route except ``/api/health`` needs
``Authorization: Bearer <token>``; a websocket may instead pass ``?token=<token>`` (browsers cannot
set headers on websockets). A refused HTTP request answers 401; a refused websocket is accepted and
closed with code 1008 (policy violation).
"""

import hmac
import json
from urllib.parse import parse_qs

OPEN_PATHS = {"/api/health"}


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
        if scope.get("method") == "POST" and scope.get("path") in self.uploads:
            return self.uploads[scope["path"]]
        return self.max_bytes, "max_body_bytes"

    @staticmethod
    def _refusal(size: str, limit: int, setting: str) -> dict:
        return {"detail": f"the request body is {size} bytes; the limit {setting} is {limit:,} "
                          f"(setting NNPLAY_{setting.upper()})"}

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
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1008, "reason": "missing or wrong API token"})
