"""Atomic file writes: write to a temporary file beside the destination, then rename.

Readers see the old file or the new one, never half of one, and a failed write leaves
nothing behind. Every writer in the toolkit (audio saves, streamed separations, video
re-muxing, the workspace manifest) goes through :func:`atomic_path`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(dest: str | os.PathLike, suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside ``dest``; when the block ends without error, it is
    renamed onto ``dest``. The temporary file is removed in every case."""
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{dest.name}.", suffix=suffix, dir=dest.parent if str(dest.parent) else "."
    )
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual mode
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
