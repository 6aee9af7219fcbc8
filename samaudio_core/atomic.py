"""Atomic file writes: write to a temporary file beside the destination, then rename.

Readers see the old file or the new one, never half of one, and a failed write leaves
nothing behind. Every writer in the toolkit (audio saves, streamed separations, video
re-muxing, the workspace manifest) goes through :func:`atomic_path`.

A process killed with SIGKILL cannot run its cleanup, so its temporary file stays behind
(hidden, and never under the final name). The temporary name carries the writer's process
id (``.<name>.samtmp<pid>.<random><suffix>``) so that :func:`sweep_orphans` can later
remove exactly the files whose writer is dead, and never one another process is writing.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Marks a temporary file of :func:`atomic_path`; the writer's pid follows it.
TEMP_TAG = ".samtmp"
_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.samtmp(?P<pid>\d+)\.")


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_prefix(dest: Path) -> str:
    return f".{dest.name}{TEMP_TAG}{os.getpid()}."


@contextmanager
def atomic_path(dest: str | os.PathLike, suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside ``dest``; when the block ends without error, it is
    renamed onto ``dest``. The temporary file is removed in every case (but SIGKILL)."""
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(
        prefix=temp_prefix(dest), suffix=suffix, dir=dest.parent if str(dest.parent) else "."
    )
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600 files; give the usual mode
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) atomically, flushed to disk before the rename."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def orphan_owner(name: str) -> int | None:
    """The writer's pid when ``name`` is a temporary file of :func:`atomic_path`, else None."""
    m = _TEMP_RE.match(name)
    return int(m.group("pid")) if m else None


def sweep_orphans(folder: str | os.PathLike) -> list[Path]:
    """Remove the temporary files in ``folder`` left by writers that died (SIGKILL, power
    loss); files of live processes, this one included, are left alone. Returns those removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:  # missing or unreadable folder: nothing to sweep
        return removed
    for entry in entries:
        pid = orphan_owner(entry.name)
        if pid is None or pid == os.getpid() or pid_alive(pid) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:  # read-only folder or raced with another sweeper: leave it
            pass
    return removed
