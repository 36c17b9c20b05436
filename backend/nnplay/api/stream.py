"""The websocket endpoint: ``/api/jobs/{job_id}/stream?after=N`` sends every message with
``seq > N`` (history, then live) and closes with code 1000 after a terminal status.
An ``after`` that is not an integer from 0 to 2^53 closes with 1008 naming it; an unknown job closes
with code 4404; a job with ``max_clients_per_job`` clients already, with 1013
(try again later). A client that vanishes without a close frame is dropped by uvicorn's ping timeout."""

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from nnplay.jobs import JobNotFound, TooManyClients

router = APIRouter(prefix="/api")
MAX_SEQ = 2**53  # a seq past this cannot exist (and would overflow the database's integers)


@router.websocket("/jobs/{job_id}/stream")
async def stream(websocket: WebSocket, job_id: str, after: str = Query("0")):
    svc = websocket.app.state.service
    await websocket.accept()
    if not (after.isascii() and after.isdigit()) or int(after) > MAX_SEQ:  # ASCII digits only: not "²", "١"
        return await websocket.close(code=1008, reason=f"after must be an integer from 0 to {MAX_SEQ}")
    after = int(after)
    try:
        svc.watch(job_id)
    except JobNotFound as exc:
        return await websocket.close(code=4404, reason=str(exc)[:120])
    except TooManyClients as exc:
        return await websocket.close(code=1013, reason=str(exc)[:120])
    try:
        async for text in svc.stream(job_id, after):
            await websocket.send_text(text)
        await websocket.close(code=1000)
    except (WebSocketDisconnect, RuntimeError, OSError):
        return  # the client went away; the job does not care
    finally:
        svc.unwatch(job_id)
