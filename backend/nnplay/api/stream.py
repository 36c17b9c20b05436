"""The websocket endpoint: ``/api/jobs/{job_id}/stream?after=N`` sends every message with
``seq > N`` (history, then live) and closes with code 1000 after a terminal status.
An unknown job closes with code 4404."""

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from nnplay.jobs import JobNotFound

router = APIRouter(prefix="/api")


@router.websocket("/jobs/{job_id}/stream")
async def stream(websocket: WebSocket, job_id: str, after: int = Query(0, ge=0)):
    svc = websocket.app.state.service
    await websocket.accept()
    try:
        async for text in svc.stream(job_id, after):
            await websocket.send_text(text)
        await websocket.close(code=1000)
    except JobNotFound as exc:
        await websocket.close(code=4404, reason=str(exc)[:120])
    except (WebSocketDisconnect, RuntimeError):
        return  # the client went away; the job does not care
