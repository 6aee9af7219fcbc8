"""The worker side of a batch (:mod:`tools.batch`): what runs one file, wherever it runs.

A :class:`Worker` loads the engine once and then runs the recipe on one :class:`Task` at a
time: in a private temporary workspace (so no per-version WAVs pile up in the output folder),
publishing each export atomically as ``DIR/KEY.FMT``, and returning the file's results record.
The same class runs in the driver's process, in each process of a pool, and as a Ray actor
(:mod:`tools.batch_ray`), so every executor produces the same outputs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import resource
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samaudio_core.atomic import atomic_path
from samaudio_core.errors import SamaudioError

from .recipe import Recipe, parse_recipe

log = logging.getLogger(__name__)

#: Judge overall score (1..5) a separation needs to pass (same default as the agent's).
DEFAULT_THRESHOLD = 3.0


class BatchError(SamaudioError):
    """A batch cannot start, or one file in it failed (the message says which and why)."""


@dataclass(frozen=True)
class Task:
    """One input of a batch: its path, its output name (KEY) and which attempt this is."""

    input: str
    key: str
    attempt: int = 1


def recipe_hash(recipe: Recipe) -> str:
    """A short stable digest of what the recipe does (its steps, canonical JSON)."""
    canonical = json.dumps(
        recipe.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def output_names(key: str, formats: list[str]) -> list[str]:
    """``KEY.FMT`` for each export; a format exported again gets ``KEY-2.FMT``, ``KEY-3.FMT`` ..."""
    names, used = [], {}
    for fmt in formats:
        used[fmt] = used.get(fmt, 0) + 1
        names.append(f"{key}.{fmt}" if used[fmt] == 1 else f"{key}-{used[fmt]}.{fmt}")
    return names


# ----- workers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkerConfig:
    """What every worker needs (picklable, so it travels to processes and Ray actors).

    recipe_json : the recipe (schema v1 JSON); out_dir : absolute output folder
    engine : engine name, loaded once per worker; judge : score separations
    threshold : judge overall score a separation needs to pass
    keep_versions : also copy each input's versions to ``DIR/versions/KEY/``
    export_default : format of the output when the recipe has no export step
    threads : intra-op threads per worker (None: leave the library default)
    shared_check : (path, token) a worker must read back, proving it sees DIR (Ray)
    """

    recipe_json: str
    out_dir: str
    engine: str = "auto"
    judge: bool = True
    threshold: float = DEFAULT_THRESHOLD
    keep_versions: bool = False
    export_default: str = "wav"
    threads: int | None = None
    shared_check: tuple[str, str] | None = None


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS): the worker process's peak so far.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


class Worker:
    """Runs the recipe on one file at a time; the engine is loaded once, when it is made.

    A problem in starting (engine unusable, output folder not visible) does not raise: it is
    kept in :attr:`error`, which :meth:`ready` returns, so the driver can stop the batch with
    that one message instead of failing every file with it.
    """

    def __init__(self, config: WorkerConfig):
        self.config = config
        self.error: str | None = None
        self._scratch: Path | None = None  # the scratch folder of the file in progress
        self.engine: Any = config.engine
        self.recipe = parse_recipe(json.loads(config.recipe_json))
        try:
            self._check_shared()
            # Deferred: the engine registry imports torch (~2 s), which the driver of a pool
            # or a Ray run does not need.
            from samaudio_core.engines.registry import load_engine

            self.engine = load_engine(config.engine)
        except SamaudioError as exc:
            self.error = str(exc)
        if config.threads:
            # N workers on N cores: each gets its share of threads (torch's, and the BLAS and
            # OpenMP pools numpy and scipy use), instead of every one using them all.
            from threadpoolctl import threadpool_limits

            self._thread_limits = threadpool_limits(limits=config.threads)
            if "torch" in sys.modules:
                sys.modules["torch"].set_num_threads(config.threads)

    def _check_shared(self) -> None:
        if self.config.shared_check is None:
            return
        path, token = self.config.shared_check
        try:
            seen = Path(path).read_text(encoding="utf-8")
        except OSError:
            seen = None
        if seen != token:
            raise BatchError(
                f"--out-dir {self.config.out_dir} is not shared storage: a worker on {socket.gethostname()} "
                f"cannot see {path}; on a multi-node cluster it must be a shared mount at the same path "
                "on every node (see docs/batch.md)"
            )

    def discard_scratch(self) -> None:
        """Remove the scratch folder of the file in progress (the process is about to exit)."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def ready(self) -> str | None:
        """None when the worker can run files, else why not."""
        return self.error

    def run(self, task: Task) -> dict[str, Any]:
        """Process ``task``; always returns its record (status "done" or "failed")."""
        t0 = time.perf_counter()
        rec: dict[str, Any] = {
            "input": task.input,
            "key": task.key,
            "outputs": [],
            "recipe_hash": recipe_hash(self.recipe),
            "engine": self.config.engine,
            "status": "failed",
            "judge": [],
            "judge_failed": False,
            "seconds": 0.0,
            "attempts": task.attempt,
            "error": None,
        }
        try:
            if self.error:
                raise BatchError(self.error)
            rec.update(self._process(task))
            rec["status"] = "done"
            self._scratch = None
        except SamaudioError as exc:
            rec["error"] = str(exc)
        except Exception as exc:  # a bug or a library failure on one file must not stop the batch
            log.exception("unexpected failure on %s", task.input)
            rec["error"] = f"{type(exc).__name__}: {exc}"
        rec["seconds"] = round(time.perf_counter() - t0, 3)
        rec["host"], rec["pid"], rec["peak_rss_mb"] = socket.gethostname(), os.getpid(), _peak_rss_mb()
        rec["finished"] = _now()
        return rec

    def _process(self, task: Task) -> dict[str, Any]:
        # Deferred with the engine (see __init__): the runner imports the separation stack.
        from samaudio_core.workspace import Workspace

        from .runner import run_recipe

        cfg = self.config
        src = Path(task.input)
        if not src.is_file():
            where = f" on {socket.gethostname()} (on a cluster the inputs must be on shared storage too)"
            raise BatchError(f"{src}: no such file{where if cfg.shared_check else ''}")
        with tempfile.TemporaryDirectory(prefix="samaudio-batch-") as tmp:
            scratch = self._scratch = Path(tmp)
            ws = Workspace.create(scratch / "sessions", src, name="input", out_dir=scratch / "out")
            report = run_recipe(
                self.recipe, ws, engine=self.engine, judge=cfg.judge, export_default=cfg.export_default
            )
            if not report.ok:
                bad = next(s for s in report.steps if not s.ok)
                raise BatchError(f"step {bad.index} ({bad.op}) failed: {bad.message}")
            judged = [
                {
                    "step": s.index,
                    "target": s.description,
                    "scores": s.scores,
                    "passed": s.scores.get("overall", 5.0) >= cfg.threshold,
                }
                for s in report.steps
                if s.op == "separate" and s.scores
            ]
            written = _folder_bytes(scratch)
            outputs = self._publish(report.exports, task.key)
            if cfg.keep_versions:
                self._keep_versions(ws.folder, task.key)
        return {
            "outputs": [str(p) for p in outputs],
            "judge": judged,
            "judge_failed": any(not j["passed"] for j in judged),
            # Everything this file wrote: the scratch session (input copy, versions, exports)
            # plus the published copies.
            "bytes_written": written + sum(p.stat().st_size for p in outputs),
        }

    def _publish(self, exports: list[str], key: str) -> list[Path]:
        """Copy each export to ``DIR/KEY.FMT`` atomically (no partial file under a final name)."""
        out_dir = Path(self.config.out_dir)
        formats = [Path(e).suffix.lstrip(".").lower() for e in exports]
        published = []
        for src, name in zip(exports, output_names(key, formats)):
            dest = out_dir / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(dest, suffix=".part") as tmp:
                shutil.copyfile(src, tmp)
                with open(tmp, "rb+") as fh:  # on disk before results.jsonl says it is done
                    os.fsync(fh.fileno())
            published.append(dest)
        return published

    def _keep_versions(self, session: Path, key: str) -> None:
        dest = Path(self.config.out_dir) / "versions" / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = dest.with_name(f".{dest.name}.part-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        shutil.copytree(session / "versions", staging / "versions")
        shutil.copy2(session / "manifest.json", staging / "manifest.json")
        shutil.rmtree(dest, ignore_errors=True)  # --force: the new run replaces the old versions
        os.replace(staging, dest)


def failed_record(task: Task, config: WorkerConfig, error: str) -> dict[str, Any]:
    """The record of a file whose worker never answered (it died, or its actor was lost)."""
    return {
        "input": task.input,
        "key": task.key,
        "outputs": [],
        "recipe_hash": recipe_hash(parse_recipe(json.loads(config.recipe_json))),
        "engine": config.engine,
        "status": "failed",
        "judge": [],
        "judge_failed": False,
        "seconds": 0.0,
        "attempts": task.attempt,
        "error": error,
        "finished": _now(),
    }
