"""Files: the workspace's media, uploads, and opening a file as a session."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from samaudio_core.atomic import atomic_path
from samaudio_core.errors import AudioLoadError, SamaudioError
from samaudio_core.mediascan import scan
from samaudio_core.workspace import Workspace, unique_path

from .state import MEDIA_EXTENSIONS, UPLOADS, State, TooLarge
from .views import session_view

router = APIRouter()


def web(request: Request) -> State:
    return request.app.state.web


class OpenBody(BaseModel):
    path: str


def open_session(state: State, path: Path) -> dict:
    """Check ``path`` by decoding it (one streamed pass, which also gives its peaks) and start a session."""
    found = scan(path)
    ws = Workspace.create(
        state.sessions_root, path,
        info={"sample_rate": found.sample_rate, "channels": found.channels, "duration": found.duration},
    )  # fmt: skip
    session = state.add(ws)
    np.savez(session.cache("peaks-v0.npz"), min=found.peaks_min, max=found.peaks_max)
    return session_view(session)


@router.get("/health")
def health():
    return {"ok": True}


@router.get("/files")
def files(request: Request):
    return {"files": web(request).media_files()}


@router.post("/open")
def open_file(body: OpenBody, request: Request):
    state = web(request)
    path = state.inside(body.path)
    if not path.is_file():
        raise SamaudioError(f"'{body.path}': no such file in the workspace")
    return open_session(state, path)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def upload_name(name: str) -> str:
    """A plain file name for an upload: the last path part, odd characters replaced."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    if suffix.lower() not in MEDIA_EXTENSIONS:
        raise AudioLoadError(
            f"'{base}': not an audio or video file name (use one of {', '.join(MEDIA_EXTENSIONS)})"
        )
    stem = _SAFE.sub("_", stem).strip("._")[:80] or "upload"
    return stem + suffix.lower()


@router.post("/upload")
async def upload(request: Request, name: str):
    """The request body is the file itself (no multipart spooling); it is streamed to
    ``uploads/`` and counted, so an upload over the limit stops there and leaves nothing."""
    state = web(request)
    limit = state.config.upload_limit
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"upload is {int(declared)} bytes; the limit is {limit} bytes")
    folder = state.root / UPLOADS
    folder.mkdir(exist_ok=True)
    dest = unique_path(folder / upload_name(name))
    size = 0
    # Streamed to a temporary file beside ``dest`` that is renamed into place only when whole
    # (the project's atomic writer: its temp names are the ones a crashed process's sweep knows).
    with atomic_path(dest, suffix=".part") as part:
        with open(part, "wb") as f:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"upload is over the limit of {limit} bytes")
                f.write(chunk)
        if size == 0:
            raise AudioLoadError(f"'{dest.name}': the upload is empty")
    try:
        return await run_in_threadpool(open_session, state, dest)
    except SamaudioError as exc:
        dest.unlink(missing_ok=True)  # not audio: keep nothing
        # The message names the upload, not the server's folders.
        raise type(exc)(str(exc).replace(f"'{dest}'", f"'{dest.name}'").replace(str(dest), dest.name)) from None


@router.get("/sessions")
def sessions(request: Request):
    return {"sessions": web(request).list_sessions()}
