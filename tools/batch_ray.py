"""The Ray executor of :mod:`tools.batch`: one actor per worker, each loading the engine once.

``ray="local"`` starts a Ray instance on this machine (as many CPUs as workers); ``"auto"``
joins the cluster this machine belongs to, and ``"HOST:PORT"`` (or ``ray://...``) a given
one. If Ray is already initialised in this process (a test session, a notebook), that
instance is used and left running.

Actors write their outputs straight into the output folder, and the driver writes
``results.jsonl``, so on a multi-node cluster the output folder (and the inputs) must be on
storage every node mounts at the same path. Each actor checks that before it takes a file:
the driver leaves a random token in the folder, and an actor that cannot read it back
refuses to start, with a message that says so (docs/batch.md).
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from .batch_worker import BatchError, Task, Worker, WorkerConfig, failed_record

log = logging.getLogger(__name__)


def _import_ray():
    try:
        import ray
    except ImportError:
        raise BatchError("--ray needs Ray: pip install 'samaudio[ray]'") from None
    return ray


class RayExecutor:
    """``capacity`` Ray actors, one file in flight on each."""

    def __init__(self, config: WorkerConfig, workers: int | None, address: str):
        ray = self.ray = _import_ray()
        self.started = False
        if not ray.is_initialized():
            local = address in ("", "local")
            try:
                ray.init(
                    address=None if local else address,
                    num_cpus=(workers or os.cpu_count() or 1) if local else None,
                    include_dashboard=False,
                    log_to_driver=False,  # worker chatter would break the progress bar; logs stay in Ray's folder
                    logging_level=logging.WARNING,
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise BatchError(f"cannot start or join Ray at '{address}': {exc}") from None
            self.started = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        if workers and workers > cpus:
            # An actor takes one CPU: more actors than CPUs would wait for ever to be placed.
            log.warning("--workers %d is more than the %d CPU(s) Ray has: using %d", workers, cpus, cpus)
        self.capacity = max(1, min(workers or cpus, cpus))
        nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
        self.where = f"{nodes} node(s), {cpus} CPU(s)"
        self._token = Path(config.out_dir) / f".samaudio-shared-check-{uuid.uuid4().hex}"
        token = uuid.uuid4().hex
        self._token.write_text(token, encoding="utf-8")
        self.config = replace(config, shared_check=(str(self._token), token), threads=1)
        self._actor_class = ray.remote(num_cpus=1)(Worker)
        self._idle: list[Any] = []
        self._running: dict[Any, tuple[Any, Task]] = {}
        try:
            self._idle = self._start_actors(self.capacity)
        except BaseException:
            self.close()
            raise

    def _start_actors(self, n: int) -> list[Any]:
        actors = [self._actor_class.remote(self.config) for _ in range(n)]
        try:
            errors = self.ray.get([a.ready.remote() for a in actors])
        except self.ray.exceptions.RayError as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise BatchError(
                f"Ray workers could not start ({first}); is samaudio installed on every node?"
            ) from None
        for err in errors:
            if err:
                raise BatchError(err)
        return actors

    def submit(self, task: Task) -> None:
        actor = self._idle.pop()
        self._running[actor.run.remote(task)] = (actor, task)

    def wait(self) -> list[tuple[Task, dict[str, Any]]]:
        ray = self.ray
        ready, _ = ray.wait(list(self._running), num_returns=1)
        out = []
        for ref in ready:
            actor, task = self._running.pop(ref)
            try:
                out.append((task, ray.get(ref)))
                self._idle.append(actor)
            except ray.exceptions.RayError as exc:  # the actor died (node lost, killed, out of memory)
                log.warning("Ray actor lost on %s: %s", task.input, exc)
                out.append(
                    (
                        task,
                        failed_record(
                            task, self.config, f"the Ray worker died on this file ({type(exc).__name__})"
                        ),
                    )
                )
                self._idle.extend(self._start_actors(1))
        return out

    def close(self) -> None:
        for actor in [*self._idle, *(a for a, _ in self._running.values())]:
            self.ray.kill(actor)
        self._idle, self._running = [], {}
        self._token.unlink(missing_ok=True)
        if self.started:
            self.ray.shutdown()
            self.started = False

    abort = close
