"""Progress and cancellation of long work, for whoever watches the current thread.

The web server runs an instruction in a worker thread and wants to show how far a long
separation is and to stop it on request; the CLI wants neither. So the work itself only
calls :func:`tick` at safe points (the block runner, once a block), and a caller that
cares wraps the work in :func:`watch`. Outside a watch a tick costs one attribute lookup.

:class:`Cancelled` derives from ``BaseException``, as ``KeyboardInterrupt`` and
``asyncio.CancelledError`` do, so the ``except Exception`` handlers that keep an advisory
step (a judge, a hint) from failing an edit do not swallow a cancellation; ``finally``
blocks and the atomic writers still clean up on the way out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_local = threading.local()


class Cancelled(BaseException):  # noqa: N818 - named like asyncio.CancelledError's meaning
    """The watcher asked the work in this thread to stop."""


@dataclass
class _Watch:
    on_progress: Callable[[int, int, str], None] | None
    is_cancelled: Callable[[], bool] | None


@contextmanager
def watch(
    on_progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Iterator[None]:
    """Within this block, on this thread: report ticks to ``on_progress(done, total, what)``
    and raise :class:`Cancelled` at the next tick once ``is_cancelled()`` is true."""
    previous = getattr(_local, "watch", None)
    _local.watch = _Watch(on_progress, is_cancelled)
    try:
        yield
    finally:
        _local.watch = previous


def tick(done: int, total: int, what: str = "") -> None:
    """A safe point in long work: ``done`` of ``total`` units of ``what`` are finished."""
    w = getattr(_local, "watch", None)
    if w is None:
        return
    if w.is_cancelled is not None and w.is_cancelled():
        raise Cancelled(what or "cancelled")
    if w.on_progress is not None:
        w.on_progress(done, total, what)


__all__ = ["Cancelled", "tick", "watch"]
