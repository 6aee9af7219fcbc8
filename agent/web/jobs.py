"""Long work (an instruction, which may separate an hour of audio) as jobs the page polls.

One job runs at a time per session, in a worker thread, holding the session's lock so no
undo or remix interleaves with it. Progress is what can honestly be known: the phase, the
steps the plan has, how many new versions the workspace has committed so far, and, inside
a step, the blocks the block runner has done (:mod:`samaudio_core.progress`).
Cancelling a queued job drops it; a running one stops at its next safe point (after
planning, or between two blocks of a separation: a Python thread cannot be killed in the
middle of a numpy call), and the workspace's undo stack is put back where it was.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from samaudio_core.errors import SamaudioError
from samaudio_core.progress import Cancelled, watch

from .state import NotFound, Session

log = logging.getLogger(__name__)


@dataclass
class Job:
    id: str
    session: str
    kind: str
    state: str = "queued"  # queued, running, done, error, cancelled
    phase: str = "waiting"
    planned_steps: int = 0
    versions_at_start: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    cancel_requested: bool = False
    #: The latest tick inside a step: (done, total, what).
    tick: tuple[int, int, str] | None = None
    session_ref: Session | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        done_steps = 0
        if self.session_ref is not None and self.state == "running":
            done_steps = max(0, len(self.session_ref.ws.versions) - self.versions_at_start)
        fraction = None
        if self.state in ("done", "error", "cancelled"):
            fraction = 1.0
        elif self.planned_steps:
            inside = self.tick[0] / self.tick[1] if self.tick and self.tick[1] else 0.0
            fraction = min(0.99, (min(done_steps, self.planned_steps - 1) + inside) / self.planned_steps)
        return {
            "id": self.id, "session": self.session, "kind": self.kind, "state": self.state,
            "phase": self.phase, "detail": f"{self.tick[2]} {self.tick[0]}/{self.tick[1]}" if self.tick else "",
            "planned_steps": self.planned_steps, "done_steps": done_steps,
            "progress": fraction, "elapsed": round((self.finished or time.time()) - self.started, 2),
            "result": self.result, "error": self.error,
        }  # fmt: skip


class Jobs:
    """Runs jobs in a small thread pool; keeps the latest 200 for polling."""

    def __init__(self, workers: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="samaudio-job")
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        return job

    def submit(self, session: Session, kind: str, fn) -> Job:
        """Queue ``fn(job)``; its return value (a dict) becomes the job's result."""
        job = Job(id=f"j{next(self._ids)}", session=session.ws.name, kind=kind, session_ref=session)
        with self._lock:
            self._jobs[job.id] = job
            if len(self._jobs) > 200:
                for old in list(self._jobs)[:-200]:
                    if self._jobs[old].state not in ("queued", "running"):
                        del self._jobs[old]
        self._pool.submit(self._run, job, session, fn)
        return job

    def _run(self, job: Job, session: Session, fn) -> None:
        with session.lock:
            if job.cancel_requested:
                job.state, job.phase, job.finished = "cancelled", "cancelled before it started", time.time()
                return
            job.state, job.phase = "running", "planning"
            job.versions_at_start = len(session.ws.versions)
            stack_at_start = session.ws.stack
            try:
                with watch(on_progress=lambda d, t, w: setattr(job, "tick", (d, t, w)),
                           is_cancelled=lambda: job.cancel_requested):  # fmt: skip
                    result = fn(job)
                if job.cancel_requested:
                    raise Cancelled("cancelled")
                job.result, job.state, job.phase = result, "done", "done"
            except Cancelled:
                rollback(session, stack_at_start)
                job.state, job.phase = "cancelled", "cancelled; the session is as it was"
            except SamaudioError as exc:
                job.state, job.phase, job.error = "error", "failed", str(exc)
            except Exception as exc:  # a bug: the page gets a message, the log the traceback
                log.error("job %s failed:\n%s", job.id, traceback.format_exc())
                job.state, job.phase, job.error = "error", "failed", f"internal error: {type(exc).__name__}: {exc}"
            finally:
                job.finished = time.time()

    def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job.state in ("queued", "running"):
            job.cancel_requested = True
            job.phase = "cancelling"
        return job


def rollback(session: Session, stack: list[int]) -> None:
    """Put the undo stack back as it was (versions made meanwhile stay on disk, off the stack)."""
    session.ws.restore_stack(stack)
