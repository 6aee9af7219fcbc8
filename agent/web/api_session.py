"""A session's versions: state, undo, reset, export and download, stems and their remix.

Undo, reset and export run as recipe steps through :func:`tools.runner.run_step`, the
runner the agent's tools use; a remix is committed by :mod:`agent.web.stems`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from samaudio_core.errors import WorkspaceError
from samaudio_core.workspace import resolve_inside
from tools.recipe import EXPORT_FORMATS, parse_step
from tools.runner import run_step

from . import stems as stem_ops
from .state import Busy, NotFound, Session, State
from .views import session_view

router = APIRouter()


def web(request: Request) -> State:
    return request.app.state.web


def locked(session: Session):
    """The session's lock, or Busy when a job holds it."""
    if not session.lock.acquire(blocking=False):
        raise Busy(f"session {session.ws.name} is busy with an instruction; wait or cancel it")
    return session.lock


def version_of(session: Session, version: str | int) -> int:
    if str(version) in ("original", "0"):
        return 0
    if str(version) == "current":
        return session.ws.current.id
    try:
        vid = int(version)
    except ValueError:
        raise NotFound(f"no version {version!r}") from None
    if not 0 <= vid < len(session.ws.versions):
        raise NotFound(f"no version {vid} (versions 0-{len(session.ws.versions) - 1})")
    return vid


def _step(session: Session, data: dict) -> dict:
    lock = locked(session)
    try:
        report = run_step(parse_step(data), session.ws)
    finally:
        lock.release()
    return {"message": report.message, "output": report.output, "session": session_view(session)}


@router.get("/sessions/{name}")
def state(name: str, request: Request):
    return session_view(web(request).get(name))


@router.post("/sessions/{name}/undo")
def undo(name: str, request: Request):
    return _step(web(request).get(name), {"op": "undo"})


@router.post("/sessions/{name}/reset")
def reset(name: str, request: Request):
    return _step(web(request).get(name), {"op": "reset"})


class ExportBody(BaseModel):
    format: str = Field("wav", description=f"one of {', '.join(EXPORT_FORMATS)}")


@router.post("/sessions/{name}/export")
def export(name: str, body: ExportBody, request: Request):
    fmt = body.format.lower()
    if fmt not in EXPORT_FORMATS:
        raise WorkspaceError(f"cannot export as '{body.format}' (choose one of {', '.join(EXPORT_FORMATS)})")
    session = web(request).get(name)
    out = _step(session, {"op": "export", "format": fmt})
    out["url"] = f"/api/sessions/{name}/exports/{out['output'].rsplit('/', 1)[-1]}"
    return out


@router.get("/sessions/{name}/exports/{filename}")
def download(name: str, filename: str, request: Request):
    session = web(request).get(name)
    path = resolve_inside(session.ws.out_dir, filename)
    if not path.is_file():
        raise NotFound(f"no export named {filename!r}")
    return FileResponse(path, filename=path.name)


@router.get("/sessions/{name}/stems/{version}/{stem}")
def stem(name: str, version: str, stem: str, request: Request):
    """A separation version's target or residual stem, as a float wav (cached)."""
    session = web(request).get(name)
    vid = version_of(session, version)
    if stem not in stem_ops.STEMS:
        raise NotFound(f"no stem {stem!r} (stems: {', '.join(stem_ops.STEMS)})")
    path = session.cache(f"stem-v{vid}-{stem}.wav")
    if not path.exists():
        stem_ops.write_stem(session.ws, vid, stem, path)
    return FileResponse(path, media_type="audio/wav")


class RemixBody(BaseModel):
    version: int
    target_db: float = 0.0
    residual_db: float = 0.0


@router.post("/sessions/{name}/remix")
def remix(name: str, body: RemixBody, request: Request):
    session = web(request).get(name)
    lock = locked(session)
    try:
        v, info = stem_ops.remix(session.ws, body.version, {"target": body.target_db, "residual": body.residual_db})
    finally:
        lock.release()
    msg = f"remixed version {body.version}: target {body.target_db:+g} dB, rest {body.residual_db:+g} dB"
    if info.get("limited_db"):
        msg += f"; peaks limited by {info['limited_db']:.1f} dB to avoid clipping"
    return {"message": msg + f" (version {v.id})", "session": session_view(session)}
