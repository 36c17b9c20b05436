"""The websocket endpoint: ``/api/jobs/{job_id}/stream?after=N`` sends every message with
``seq > N`` (history, then live) and closes with code 1000 after a terminal status.
An ``after`` that is not an integer from 0 to 2^53 closes with 1008 naming it; an unknown job closes
with code 4404; a job with ``max_clients_per_job`` clients already, with 1013
(try again later). ``max_points=N`` (10 to 100,000) downsamples the stored history's step metrics and
gradients for drawing (``nnplay.jobs.history``). ``batch=true`` makes every frame a JSON array of
messages in ``seq`` order (at most ``BATCH_BYTES`` of them, or one larger message alone) instead of
one message: a browser pays a fixed cost per frame, so a long run's replay of thousands of small
messages arrives several times faster. A client that stops reading is closed with 1013 once
one message has waited ``stream_send_timeout_s`` (``NNPLAY_STREAM_SEND_TIMEOUT_S``, 30 s) to be sent (a lagging one is coalesced first, see
``JobService.stream``); one that vanishes without a close frame is dropped by uvicorn's ping timeout
or by that same send timeout, whichever comes first."""

import asyncio

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from nnplay.jobs import JobNotFound, TooManyClients

router = APIRouter(prefix="/api")
MAX_SEQ = 2**53  # a seq past this cannot exist (and would overflow the database's integers)
BATCH_BYTES = 256 * 1024  # a batched frame's size bound (a message larger than this goes alone)
FLAGS = {"true": True, "1": True, "false": False, "0": False}


@router.websocket("/jobs/{job_id}/stream")
async def stream(websocket: WebSocket, job_id: str, after: str = Query("0"), max_points: str | None = Query(None),
                 batch: str = Query("false")):
    svc = websocket.app.state.service
    await websocket.accept()
    if not (after.isascii() and after.isdigit()) or int(after) > MAX_SEQ:  # ASCII digits only: not "²", "١"
        return await websocket.close(code=1008, reason=f"after must be an integer from 0 to {MAX_SEQ}")
    after = int(after)
    if max_points is not None and not (max_points.isascii() and max_points.isdigit() and 10 <= int(max_points) <= 100_000):
        return await websocket.close(code=1008, reason="max_points must be an integer from 10 to 100000")
    if batch not in FLAGS:
        return await websocket.close(code=1008, reason="batch must be true or false")
    try:
        svc.watch(job_id)
    except JobNotFound as exc:
        return await websocket.close(code=4404, reason=str(exc)[:120])
    except TooManyClients as exc:
        return await websocket.close(code=1013, reason=str(exc)[:120])
    try:
        async for texts in svc.stream(job_id, after, int(max_points) if max_points else None):
            for frame in frames(texts) if FLAGS[batch] else texts:
                await asyncio.wait_for(websocket.send_text(frame), svc.settings.stream_send_timeout_s)
        await websocket.close(code=1000)
    except TimeoutError:  # the client stopped reading: free its slot, say why if it still listens
        await _close_quietly(websocket, 1013, "the client did not read its messages in time")
    except (WebSocketDisconnect, RuntimeError, OSError):
        return  # the client went away; the job does not care
    finally:
        svc.unwatch(job_id)


def frames(texts: list[str]) -> list[str]:
    """Messages (JSON texts, in order) as JSON arrays of consecutive ones, each at most ``BATCH_BYTES``
    bytes of UTF-8 (messages are not ASCII-escaped) unless it holds a single larger message."""
    out, run, size = [], [], 1  # size: the frame's UTF-8 bytes with this text: brackets, commas, texts
    for text in texts:
        n = len(text) if text.isascii() else len(text.encode())
        if run and size + n + 1 > BATCH_BYTES:
            out.append("[" + ",".join(run) + "]")
            run, size = [], 1
        run.append(text)
        size += n + 1
    if run:
        out.append("[" + ",".join(run) + "]")
    return out


async def _close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    try:
        await asyncio.wait_for(websocket.close(code=code, reason=reason), 1.0)
    except (TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
        pass
