"""What the server holds: its configuration, the sessions it has open, and safe paths.

Every file the server reads or writes is inside its workspace folder (``--workspace DIR``):
user media anywhere below it, uploads in ``uploads/``, sessions in ``.sessions/<name>``
(the folder layout :class:`agent.loop.Agent` uses for an output folder). A name from a
request is resolved with :func:`samaudio_core.workspace.resolve_inside`, which follows
symlinks, so ``..``, absolute paths and links pointing out are all refused.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samaudio_core.audio import VIDEO_EXTENSIONS
from samaudio_core.errors import SamaudioError, WorkspaceError
from samaudio_core.workspace import Workspace, resolve_inside, safe_name

#: What the file list offers (the decoders read more; these are what people have).
MEDIA_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".aiff", ".aif") + VIDEO_EXTENSIONS
#: Default upload limit: 2 GiB (a 60-minute 24-bit stereo wav is ~1.5 GB).
DEFAULT_UPLOAD_LIMIT = 2 * 1024**3
SESSIONS = ".sessions"
UPLOADS = "uploads"


class NotFound(SamaudioError):
    """A session, version, job or file that does not exist (HTTP 404)."""


class Busy(SamaudioError):
    """The session is running a job; edits wait until it ends (HTTP 409)."""


class TooLarge(SamaudioError):
    """An upload over the limit (HTTP 413)."""


@dataclass
class Config:
    """How ``samaudio serve`` was started."""

    workspace: Path
    token: str | None = None
    planner: Any = None
    engine: Any = "auto"
    judge: bool = True
    memory: bool = True
    upload_limit: int = DEFAULT_UPLOAD_LIMIT
    allowed_hosts: tuple[str, ...] | None = None


@dataclass
class Session:
    """One open session: its workspace, the agent bound to it, and a lock held while it works."""

    ws: Workspace
    agent: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def folder(self) -> Path:
        return self.ws.folder

    @property
    def is_video(self) -> bool:
        return Path(self.ws.original.path).suffix.lower() in VIDEO_EXTENSIONS

    def cache(self, name: str) -> Path:
        """A file in the session's ``web/`` cache folder (peaks, stems, a playable copy)."""
        folder = self.ws.folder / "web"
        folder.mkdir(exist_ok=True)
        return folder / name


class State:
    """The server's sessions (opened lazily from disk, so a restart resumes them)."""

    def __init__(self, config: Config):
        self.config = config
        self.root = config.workspace.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.sessions_root = self.root / SESSIONS
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def inside(self, name: str) -> Path:
        """``name`` (relative to the workspace) resolved inside it, or a WorkspaceError."""
        try:
            return resolve_inside(self.root, name)
        except WorkspaceError:
            raise WorkspaceError(f"refusing '{name}': it is outside the workspace") from None

    def media_files(self, limit: int = 2000, depth: int = 4) -> list[dict[str, Any]]:
        """Media files below the workspace, relative paths, sorted: hidden folders (sessions
        included) and symlinks skipped, at most ``depth`` folders down and ``limit`` files, so
        serving a big home folder stays quick."""
        out: list[dict[str, Any]] = []
        for folder, dirs, names in os.walk(self.root):
            rel = Path(folder).relative_to(self.root)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if len(rel.parts) < depth else []
            for n in sorted(names):
                p = Path(folder) / n
                if n.startswith(".") or p.suffix.lower() not in MEDIA_EXTENSIONS or p.is_symlink():
                    continue
                out.append({"path": (rel / n).as_posix(), "size": p.stat().st_size})
                if len(out) >= limit:
                    return sorted(out, key=lambda f: f["path"])
        return sorted(out, key=lambda f: f["path"])

    def add(self, ws: Workspace) -> Session:
        with self._lock:
            s = self._sessions[ws.name] = Session(ws)
            return s

    def get(self, name: str) -> Session:
        try:
            safe_name(name)
        except WorkspaceError:
            raise NotFound(f"no session named {name!r}") from None
        with self._lock:
            if name not in self._sessions:
                folder = self.sessions_root / name
                if not (folder / "manifest.json").is_file():
                    raise NotFound(f"no session named {name!r}")
                self._sessions[name] = Session(Workspace.open(folder))
            return self._sessions[name]

    def list_sessions(self) -> list[dict[str, Any]]:
        if not self.sessions_root.is_dir():
            return []
        out = []
        for folder in sorted(self.sessions_root.iterdir()):
            if (folder / "manifest.json").is_file():
                ws = Workspace.open(folder)
                out.append({"name": ws.name, "input": Path(ws.original.path).name, "versions": len(ws.versions)})
        return out
