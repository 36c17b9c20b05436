"""The websocket endpoint: ``/api/jobs/{job_id}/stream?after=N`` sends every message with
``seq > N`` (history, then live) and closes with code 1000 after a terminal status.
An ``after`` that is not an integer from 0 to 2^53 closes with 1008 naming it; an unknown job closes
with code 4404; a job with ``max_clients_per_job`` clients already, with 1013
(try again later). ``max_points=N`` (10 to 100,000) downsamples the stored history's step metrics and
gradients for drawing (``nnplay.jobs.history``). A client that stops reading is closed with 1013 once
one message has waited ``stream_send_timeout_s`` (``NNPLAY_STREAM_SEND_TIMEOUT_S``, 30 s) to be sent (a lagging one is coalesced first, see
``JobService.stream``); one that vanishes without a close frame is dropped by uvicorn's ping timeout
or by that same send timeout, whichever comes first."""

import asyncio

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from nnplay.jobs import JobNotFound, TooManyClients

router = APIRouter(prefix="/api")
MAX_SEQ = 2**53  # a seq past this cannot exist (and would overflow the database's integers)


@router.websocket("/jobs/{job_id}/stream")
async def stream(websocket: WebSocket, job_id: str, after: str = Query("0"), max_points: str | None = Query(None)):
    svc = websocket.app.state.service
    await websocket.accept()
    if not (after.isascii() and after.isdigit()) or int(after) > MAX_SEQ:  # ASCII digits only: not "²", "١"
        return await websocket.close(code=1008, reason=f"after must be an integer from 0 to {MAX_SEQ}")
    after = int(after)
    if max_points is not None and not (max_points.isascii() and max_points.isdigit() and 10 <= int(max_points) <= 100_000):
        return await websocket.close(code=1008, reason="max_points must be an integer from 10 to 100000")
    try:
        svc.watch(job_id)
    except JobNotFound as exc:
        return await websocket.close(code=4404, reason=str(exc)[:120])
    except TooManyClients as exc:
        return await websocket.close(code=1013, reason=str(exc)[:120])
    try:
        async for text in svc.stream(job_id, after, int(max_points) if max_points else None):
            await asyncio.wait_for(websocket.send_text(text), svc.settings.stream_send_timeout_s)
        await websocket.close(code=1000)
    except TimeoutError:  # the client stopped reading: free its slot, say why if it still listens
        await _close_quietly(websocket, 1013, "the client did not read its messages in time")
    except (WebSocketDisconnect, RuntimeError, OSError):
        return  # the client went away; the job does not care
    finally:
        svc.unwatch(job_id)


async def _close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    try:
        await asyncio.wait_for(websocket.close(code=code, reason=reason), 1.0)
    except (TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
        pass
