"""``samaudio apply RECIPE INPUTS... --out-dir DIR``: run a recipe over many files.

RECIPE is a recipe file (.json, .yaml) or the name of a recipe saved from a chat ("save this
as a recipe NAME"; ``samaudio recipe list``). INPUTS are files, folders (scanned recursively
for audio and video files) and ``@list.txt`` files (one path a line). The work runs in this
process (``--workers 1``), in a pool of processes (``--workers N``, default: the cores), or on
Ray (``--ray`` for a local Ray, ``--ray auto`` for the cluster this machine is in).

``DIR/results.jsonl`` gets one line a finished file; a rerun skips the files already done with
the same recipe (``--force`` redoes them), so an interrupted batch resumes where it stopped.
One bad file never stops the batch: it is retried once, then reported as "Skipping X: reason",
and the exit status is 1 when any file failed. The executor lives in :mod:`tools.batch`.
"""

from __future__ import annotations

import json
import os
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "apply", help="apply a recipe (file or saved name) to many files, in parallel, resumably"
    )
    p.add_argument("recipe", metavar="RECIPE", help="recipe file (.json, .yaml) or saved recipe name")
    p.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="audio/video files, folders (recursive) or @list.txt"
    )
    p.add_argument(
        "--out-dir", required=True, help="folder for the outputs and results.jsonl (created if missing)"
    )
    p.add_argument(
        "--workers", type=int, default=None, help="parallel workers (default: the cores; 1: this process)"
    )
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS",
        help="run on Ray: no ADDRESS starts a local Ray, 'auto' joins this machine's cluster "
        "(DIR must then be shared storage); give it after the inputs, or as --ray=ADDRESS",
    )
    p.add_argument("--force", action="store_true", help="redo files already done with this recipe")
    p.add_argument("--keep-versions", action="store_true", help="also keep every version, in DIR/versions/")
    p.add_argument("--engine", default="auto", help="separation engine (see `samaudio engines`)")
    p.add_argument("--no-judge", dest="judge", action="store_false", help="do not score separations")
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="judge overall score a separation needs to pass (default: $SAMAUDIO_JUDGE_THRESHOLD or 3.0)",
    )
    p.add_argument("--json", action="store_true", help="print each file's results line on stdout")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    p.set_defaults(func=run)


def _threshold(value: float | None) -> float:
    from samaudio_core.errors import SamaudioError
    from tools.batch import DEFAULT_THRESHOLD

    if value is not None:
        return value
    raw = os.environ.get("SAMAUDIO_JUDGE_THRESHOLD")
    try:
        return float(raw) if raw else DEFAULT_THRESHOLD
    except ValueError:
        raise SamaudioError(f"SAMAUDIO_JUDGE_THRESHOLD={raw!r} is not a number") from None


def run(args) -> int:
    from tqdm import tqdm

    # Deferred, so building the CLI's parser stays light: pydantic and the executor load on use.
    from agent.recipes import resolve_recipe
    from tools.batch import run_batch

    recipe, _source = resolve_recipe(args.recipe)  # a bad recipe stops before any file is touched
    threshold = _threshold(args.threshold)

    def report(rec: dict) -> None:
        if args.json:
            tqdm.write(json.dumps(rec), file=sys.stdout)
            sys.stdout.flush()  # a reader on a pipe sees each file as it finishes
        if rec["status"] != "done":
            error = str(rec["error"]).removeprefix(f"{rec['input']}: ")  # the line names the file once
            tqdm.write(f"Skipping {rec['input']}: {error}", file=sys.stderr)
        elif rec.get("judge_failed"):
            low = [
                f"step {j['step']} {j['scores'].get('overall', 0):.2f}/5"
                for j in rec["judge"]
                if not j["passed"]
            ]
            tqdm.write(f"Judge failed {rec['input']}: {', '.join(low)} (< {threshold:g})", file=sys.stderr)

    summary = run_batch(
        recipe,
        args.inputs,
        args.out_dir,
        workers=args.workers,
        ray=args.ray,
        force=args.force,
        keep_versions=args.keep_versions,
        engine=args.engine,
        judge=args.judge,
        threshold=threshold,
        progress=args.progress,
        on_record=report,
    )
    print(summary.line(), file=sys.stderr)
    if summary.interrupted:
        print("rerun the same command to go on where it stopped", file=sys.stderr)
        return 130
    return 0 if summary.ok else 1
