"""Batch runs: one recipe over many files, in parallel, resumable, one results line a file.

:func:`run_batch` is what ``samaudio apply`` calls. It

- expands the inputs (:func:`expand_inputs`): files, folders (recursively, by audio/video
  extension, hidden files and the output folder skipped) and ``@list.txt`` files;
- skips the inputs that ``DIR/results.jsonl`` already records as done with the same recipe
  (:func:`recipe_hash`) whose outputs still exist, unless ``force``;
- runs the rest on an executor, each worker a :class:`~tools.batch_worker.Worker` that
  loads the engine once: in this process (``workers=1``), in a pool of processes
  (``workers=N``), or on Ray actors (``ray=ADDRESS``, :mod:`tools.batch_ray`);
- retries each failed file once, then reports it; one bad file never stops the others;
- appends one JSON line a finished file to ``results.jsonl``, flushed and fsynced before the
  next, so a kill -9 loses only the files in flight (they run again on the next call).

A worker runs the recipe through a workspace in a private temporary folder, so no
per-version WAVs pile up in the output folder (``keep_versions`` copies them to
``DIR/versions/KEY/``), then publishes each export atomically as ``DIR/KEY.FORMAT``, where
KEY is the input's name without its extension (its path inside a folder input, so a tree
keeps its shape; ``-2``, ``-3`` ... when two inputs would share a name). A worker holds one
file at a time, so its memory is bounded as for a single file.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from samaudio_core.audio import VIDEO_EXTENSIONS

from .batch_worker import (
    DEFAULT_THRESHOLD,
    BatchError,
    Task,
    Worker,
    WorkerConfig,
    failed_record,
    output_names,
    recipe_hash,
)
from .recipe import ExportStep, Recipe

log = logging.getLogger(__name__)

#: Extensions a folder scan picks up: what soundfile and PyAV read, plus the video containers.
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".aif", ".aiff", ".wma")
INPUT_EXTENSIONS = AUDIO_EXTENSIONS + VIDEO_EXTENSIONS
RESULTS = "results.jsonl"


# ----- inputs ------------------------------------------------------------------------------
def _scan(folder: Path, exclude: Path | None) -> Iterator[Path]:
    """Media files under ``folder``, sorted, without hidden entries or ``exclude``'s tree."""
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (exclude is None or (here / d).resolve() != exclude)
        )
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in INPUT_EXTENSIONS:
                yield here / name


def _list_file(arg: str) -> Iterator[Path]:
    """Entries of ``@list.txt``: one path a line, relative to the list's folder; '#' comments."""
    path = Path(arg[1:])
    if not path.is_file():
        raise BatchError(f"{path}: no such input list (an @ argument names a text file of paths)")
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            p = Path(line).expanduser()
            yield p if p.is_absolute() else path.parent / p


def expand_inputs(inputs: Iterable[str], exclude: str | os.PathLike | None = None) -> list[Task]:
    """One :class:`Task` per distinct input file, in the order given (folders sorted inside).

    A path that does not exist is kept: it fails as that file ("no such file"), so a typo in
    a list is reported instead of silently dropped.
    """
    excluded = Path(exclude).resolve() if exclude is not None else None
    paths: list[Path] = []
    for arg in inputs:
        paths.extend(_list_file(arg) if arg.startswith("@") else [Path(arg).expanduser()])
    found: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            found.extend((f, f.relative_to(p).with_suffix("").as_posix()) for f in _scan(p, excluded))
        else:
            found.append((p, p.stem or "input"))
    tasks: list[Task] = []
    seen_paths: set[Path] = set()
    seen_keys: set[str] = set()
    for p, key in found:
        real = p.resolve()
        if real in seen_paths:
            continue
        seen_paths.add(real)
        unique, n = key, 1
        while unique.lower() in seen_keys:  # a.wav and a.flac: a, a-2 (case-blind for such filesystems)
            n += 1
            unique = f"{key}-{n}"
        seen_keys.add(unique.lower())
        tasks.append(Task(os.path.abspath(p), unique))  # absolute, ".." folded, links kept as given
    return tasks


def output_formats(recipe: Recipe, export_default: str = "wav") -> list[str]:
    """The formats one input's outputs will have, in order (one per export)."""
    formats = [s.format for s in recipe.steps if isinstance(s, ExportStep)]
    return formats or [export_default]


# ----- the results file -------------------------------------------------------------------
class ResultsLog:
    """``DIR/results.jsonl``: one JSON object a finished file, appended and fsynced per line.

    Held with an exclusive lock for the run, so two batches never interleave in one folder.
    A line cut short by a kill is skipped on reading, and the next line starts on its own.
    """

    def __init__(self, path: Path):
        self.path = path
        self._fh: Any = None

    def __enter__(self) -> ResultsLog:
        self._fh = open(self.path, "a+b")  # held open (and locked) for the whole run
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            raise BatchError(
                f"{self.path}: another samaudio apply is writing to this folder; wait for it or use another --out-dir"
            ) from None
        self._fh.seek(0, os.SEEK_END)
        if self._fh.tell() > 0:
            self._fh.seek(-1, os.SEEK_END)
            if self._fh.read(1) != b"\n":  # a line cut by a kill: end it, so ours start clean
                self._append_bytes(b"\n")
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def records(self) -> list[dict[str, Any]]:
        """Every complete record in the file, oldest first."""
        if not self.path.exists():
            return []
        out = []
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # cut short by a kill
                if isinstance(rec, dict) and "input" in rec:
                    out.append(rec)
        return out

    def append(self, record: dict[str, Any]) -> None:
        self._append_bytes((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))

    def _append_bytes(self, data: bytes) -> None:
        self._fh.write(data)
        self._fh.flush()
        os.fsync(self._fh.fileno())


def finished_inputs(records: list[dict[str, Any]], digest: str) -> set[str]:
    """Inputs whose latest record is done with recipe ``digest`` and whose outputs all exist."""
    latest: dict[str, dict[str, Any]] = {}
    for rec in records:
        latest[rec["input"]] = rec
    return {
        inp
        for inp, rec in latest.items()
        if rec.get("status") == "done"
        and rec.get("recipe_hash") == digest
        and all(Path(o).is_file() for o in rec.get("outputs") or [])
    }


# ----- executors -------------------------------------------------------------------------------
class Executor(Protocol):
    """Runs tasks on workers: ``capacity`` at once; ``wait`` returns at least one finished."""

    capacity: int

    def submit(self, task: Task) -> None: ...

    def wait(self) -> list[tuple[Task, dict[str, Any]]]: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class SequentialExecutor:
    """One worker in this process: files one after another."""

    capacity = 1

    def __init__(self, config: WorkerConfig):
        self.worker = Worker(config)
        if self.worker.error:
            raise BatchError(self.worker.error)
        self._queue: deque[Task] = deque()

    def submit(self, task: Task) -> None:
        self._queue.append(task)

    def wait(self) -> list[tuple[Task, dict[str, Any]]]:
        task = self._queue.popleft()
        return [(task, self.worker.run(task))]

    def close(self) -> None:
        pass

    abort = close


_POOL_WORKER: Worker | None = None


def _pool_init(config: WorkerConfig, driver: int) -> None:
    # Ctrl-C goes to the whole process group: the driver decides what stops, not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _POOL_WORKER
    _POOL_WORKER = Worker(config)
    # The driver's abort (Ctrl-C) terminates workers: leave no scratch folder behind.
    signal.signal(signal.SIGTERM, _discard_and_exit)
    threading.Thread(target=_exit_with_parent, args=(driver,), daemon=True).start()


def _discard_and_exit(*_: object) -> None:
    if _POOL_WORKER is not None:
        _POOL_WORKER.discard_scratch()
    os._exit(1)


def _exit_with_parent(driver: int, every: float = 0.5) -> None:
    """Stop this pool worker when the driver is gone (kill -9 leaves no one to stop it).

    Without this an orphaned worker keeps taking the files already queued to it, or waits
    for ever; the driver's rerun does those files again anyway, since no results line says
    they were done. ``driver`` is the driver's pid as the driver saw it: a driver killed while
    this worker was still loading its engine has already been replaced as the parent here.
    """
    while os.getppid() == driver:
        time.sleep(every)
    _discard_and_exit()


def _pool_ready() -> str | None:
    assert _POOL_WORKER is not None
    return _POOL_WORKER.ready()


def _pool_run(task: Task) -> dict[str, Any]:
    assert _POOL_WORKER is not None
    return _POOL_WORKER.run(task)


class PoolExecutor:
    """``workers`` processes, each with its own :class:`Worker` (engine loaded once per process).

    Processes are spawned, not forked: a fork of a driver with threads running (the progress
    bar's, a BLAS pool's) can deadlock. A worker that dies (killed, out of memory) breaks the
    pool: the files then in flight count that as a failed attempt and a new pool starts.
    """

    def __init__(self, config: WorkerConfig, workers: int):
        self.config, self.capacity = config, workers
        self._running: dict[Any, Task] = {}
        self._start()

    def _start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(
            self.capacity,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_pool_init,
            initargs=(self.config, os.getpid()),
        )
        from concurrent.futures.process import BrokenProcessPool

        try:
            error = self._pool.submit(_pool_ready).result()
        except BrokenProcessPool as exc:
            self.abort()
            raise BatchError(f"the worker processes could not start: {exc}") from None
        if error:
            self.abort()
            raise BatchError(error)

    def submit(self, task: Task) -> None:
        self._running[self._pool.submit(_pool_run, task)] = task

    def wait(self) -> list[tuple[Task, dict[str, Any]]]:
        from concurrent.futures import FIRST_COMPLETED
        from concurrent.futures import wait as wait_futures
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait_futures(list(self._running), return_when=FIRST_COMPLETED)
        out, broken = [], False
        for fut in done:
            task = self._running.pop(fut)
            try:
                out.append((task, fut.result()))
            except BrokenProcessPool:
                broken = True
                out.append(
                    (task, failed_record(task, self.config, "a worker process died while on this file"))
                )
        if broken:  # every future of a broken pool fails: collect them and start afresh
            for task in list(self._running.values()):
                out.append(
                    (task, failed_record(task, self.config, "a worker process died while on this file"))
                )
            self._running.clear()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._start()
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        # The pool has no public way to stop a task already running; its processes are ours.
        procs = list((getattr(self._pool, "_processes", None) or {}).values())
        for proc in procs:
            proc.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.join(5)


# ----- the driver ---------------------------------------------------------------------------------
@dataclass
class BatchSummary:
    """What a batch did. ``done`` counts files finished in this run, ``skipped`` earlier ones."""

    total: int
    out_dir: Path
    skipped: int = 0
    done: int = 0
    failed: int = 0
    judge_failed: int = 0
    retried: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    executor: str = "sequential"
    workers: int = 1
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.interrupted

    def line(self) -> str:
        rate = f" ({self.done / self.seconds * 60:.1f} files/min)" if self.done and self.seconds > 0 else ""
        skipped = f" ({self.skipped} skipped: already done with this recipe)" if self.skipped else ""
        head = "interrupted: " if self.interrupted else ""
        return (
            f"{head}{self.done + self.skipped} of {self.total} file(s) done{skipped}, {self.failed} failed, "
            f"{self.judge_failed} judge failure(s); {self.seconds:.1f} s{rate} on {self.executor} x{self.workers}; "
            f"outputs in {self.out_dir}; results in {self.out_dir / RESULTS}"
        )


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_batch(
    recipe: Recipe,
    inputs: Iterable[str],
    out_dir: str | os.PathLike,
    *,
    workers: int | None = None,
    ray: str | None = None,
    force: bool = False,
    keep_versions: bool = False,
    engine: str = "auto",
    judge: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    export_default: str = "wav",
    progress: bool = True,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> BatchSummary:
    """Run ``recipe`` over ``inputs`` into ``out_dir`` (module docstring).

    Parameters
    ----------
    workers : parallel workers (default: the cores here; with ``ray``, the cluster's CPUs);
        1 without ``ray`` runs in this process
    ray : None for no Ray; "local" for a Ray started here; "auto" or "HOST:PORT" to join a cluster
    force : redo inputs already done with this recipe
    on_record : called with each record as it is written (the CLI prints failures from it)

    Returns
    -------
    BatchSummary; the per-file records are in ``out_dir/results.jsonl``.
    """
    if not recipe.steps:
        raise BatchError(f"the recipe has no steps{': ' + recipe.error if recipe.error else ''}")
    if workers is not None and workers < 1:
        raise BatchError(f"--workers must be at least 1 (got {workers})")
    out = Path(out_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    tasks = expand_inputs(inputs, exclude=out)
    if not tasks:
        raise BatchError(
            "no audio or video files in the inputs (folders are scanned for "
            + ", ".join(INPUT_EXTENSIONS)
            + ")"
        )
    _refuse_overwriting_inputs(tasks, out, output_formats(recipe, export_default))
    digest = recipe_hash(recipe)
    t0 = time.perf_counter()
    with ResultsLog(out / RESULTS) as results:
        done_before = set() if force else finished_inputs(results.records(), digest)
        todo = [t for t in tasks if t.input not in done_before]
        summary = BatchSummary(total=len(tasks), out_dir=out, skipped=len(tasks) - len(todo))
        if todo:
            config = WorkerConfig(
                recipe_json=recipe.to_json(),
                out_dir=str(out),
                engine=engine,
                judge=judge,
                threshold=threshold,
                keep_versions=keep_versions,
                export_default=export_default,
            )
            executor = _make_executor(config, workers, ray, len(todo), summary)
            try:
                _drive(executor, todo, results, summary, progress, on_record)
            except KeyboardInterrupt:
                summary.interrupted = True
                executor.abort()
            finally:
                executor.close()
    summary.seconds = time.perf_counter() - t0
    return summary


def _refuse_overwriting_inputs(tasks: list[Task], out: Path, formats: list[str]) -> None:
    inputs = {Path(t.input).resolve() for t in tasks}
    for t in tasks:
        for name in output_names(t.key, formats):
            if (out / name).resolve() in inputs:
                raise BatchError(
                    f"--out-dir {out} would overwrite the input {out / name}: originals are never modified; "
                    "choose another output folder"
                )


def _make_executor(
    config: WorkerConfig, workers: int | None, ray: str | None, n_files: int, summary: BatchSummary
):
    if ray is not None:
        # Deferred: Ray is an optional extra (pip install 'samaudio[ray]').
        from .batch_ray import RayExecutor

        ex = RayExecutor(config, workers, ray)
        summary.executor, summary.workers = f"ray ({ex.where})", ex.capacity
        return ex
    n = min(workers or default_workers(), n_files)
    cores = default_workers()
    config = replace(config, threads=max(1, cores // n))
    summary.workers = n
    if n == 1:
        return SequentialExecutor(config)
    summary.executor = "processes"
    return PoolExecutor(config, n)


def _drive(
    executor: Executor,
    todo: list[Task],
    results: ResultsLog,
    summary: BatchSummary,
    progress: bool,
    on_record: Callable[[dict[str, Any]], None] | None,
) -> None:
    """Keep the executor full, retry each failure once, write each record as it comes."""
    from tqdm import tqdm

    queue: deque[Task] = deque(todo)
    in_flight = 0
    first_errors: dict[str, str] = {}
    with tqdm(total=len(todo), desc="files", unit="file", disable=not progress, file=sys.stderr) as bar:
        while queue or in_flight:
            while queue and in_flight < executor.capacity:
                executor.submit(queue.popleft())
                in_flight += 1
            for task, rec in executor.wait():
                in_flight -= 1
                if rec["status"] != "done" and task.attempt == 1:
                    first_errors[task.input] = rec.get("error") or "failed"
                    summary.retried += 1
                    queue.appendleft(replace(task, attempt=2))  # retried next, on any free worker
                    continue
                if task.input in first_errors:
                    rec["first_error"] = first_errors.pop(task.input)
                results.append(rec)
                if rec["status"] == "done":
                    summary.done += 1
                    summary.judge_failed += bool(rec.get("judge_failed"))
                else:
                    summary.failed += 1
                    summary.failures.append((task.input, rec.get("error") or "failed"))
                bar.update(1)
                if on_record is not None:
                    on_record(rec)


__all__ = [
    "DEFAULT_THRESHOLD",
    "BatchError",
    "BatchSummary",
    "ResultsLog",
    "Task",
    "Worker",
    "WorkerConfig",
    "expand_inputs",
    "recipe_hash",
    "run_batch",
]
