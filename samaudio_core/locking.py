"""One process at a time per session: an exclusive ``flock`` on ``<session>/.lock``.

The kernel releases a ``flock`` when its holder exits, however it exits (SIGKILL included),
so a crashed process never leaves a session stuck. The lock file holds the holder's pid,
which is what the "in use by process N" message names. Locks belong to the process: two
``Workspace`` objects of one process on one session share a single lock (reference
counted), since they are not two processes racing for the manifest.

Where ``fcntl`` does not exist (Windows) sessions are not locked.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
from pathlib import Path

from .errors import WorkspaceError

if sys.platform != "win32":
    import fcntl
else:  # pragma: no cover - no flock on Windows: sessions are not locked there
    fcntl = None

LOCK_NAME = ".lock"

# (st_dev, st_ino) of a held lock file -> [fd, holders]; keyed by inode so a session folder
# that is moved (creation renames it into place) or deleted and made again is not confused.
_held: dict[tuple[int, int], list[int]] = {}
_guard = threading.Lock()


class SessionLock:
    """A held lock on one session folder; :meth:`release` (or process exit) frees it."""

    def __init__(self, key: tuple[int, int] | None):
        self._key = key

    @property
    def held(self) -> bool:
        return self._key is not None

    def release(self) -> None:
        with _guard:
            key, self._key = self._key, None
            entry = _held.get(key) if key is not None else None
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del _held[key]
                os.close(entry[0])  # closing the last descriptor drops the flock


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    return f"process {text}" if text.isdigit() else "another process"


def lock_session(folder: str | os.PathLike, name: str | None = None) -> SessionLock:
    """Take the session's lock without waiting.

    Raises
    ------
    WorkspaceError
        ``session NAME is in use by process N`` when another process holds it.
    """
    if fcntl is None:
        return SessionLock(None)
    folder = Path(folder)
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EROFS, errno.EPERM):
            raise WorkspaceError(f"{folder}: cannot open the session lock ({exc.strerror})") from None
        try:  # a read-only lock file still takes a flock
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            # A read-only session folder without a lock file: nothing can be written there, so
            # there is no race to guard; every write fails later with its own clear message.
            return SessionLock(None)
    with _guard:
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        if key in _held:  # this process holds it already
            os.close(fd)
            _held[key][1] += 1
            return SessionLock(key)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise WorkspaceError(
                    f"session {name or folder.name} is in use by {_holder(path)}: "
                    "wait for it to finish or use another session"
                ) from None
            raise WorkspaceError(f"{folder}: cannot lock the session ({exc.strerror})") from None
        try:  # record the holder for the message another process will print
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:  # a read-only session still locks; the message just names no pid
            pass
        _held[key] = [fd, 1]
        return SessionLock(key)
