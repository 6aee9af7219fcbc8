"""``samaudio apply RECIPE INPUT... --out-dir DIR``: run a saved recipe over many files.

Each input gets its own workspace (under ``DIR/.sessions``) and its exports land in DIR.
One bad file never stops the batch: it is reported as "Skipping X: reason".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from samaudio_core.errors import SamaudioError
from samaudio_core.workspace import Workspace


def register(sub) -> None:
    p = sub.add_parser("apply", help="apply a recipe (JSON or YAML) to one or more inputs")
    p.add_argument("recipe", help="recipe file (.json, .yaml, .yml)")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="audio or video files")
    p.add_argument("--out-dir", required=True, help="folder for the outputs (created if missing)")
    p.add_argument("--engine", default="auto", help="separation engine (see `samaudio engines`)")
    p.add_argument("--no-judge", dest="judge", action="store_false", help="do not score separations")
    p.add_argument("--json", action="store_true", help="print one JSON report a line")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from tqdm import tqdm

    # Deferred, so building the CLI's parser stays light: pydantic and the runner load on use.
    from tools.recipe import load_recipe
    from tools.runner import run_recipe

    recipe = load_recipe(args.recipe)  # a bad recipe stops before any file is touched
    if not recipe.steps:
        raise SamaudioError(
            f"{args.recipe}: the recipe has no steps{': ' + recipe.error if recipe.error else ''}"
        )
    out_dir = Path(args.out_dir)
    sessions = out_dir / ".sessions"
    failures = 0
    bar = tqdm(
        args.inputs,
        desc="files",
        unit="file",
        disable=not args.progress or len(args.inputs) < 2,
        file=sys.stderr,
    )
    for path in bar:
        try:
            ws = Workspace.create(sessions, path, out_dir=out_dir)
            report = run_recipe(recipe, ws, engine=args.engine, judge=args.judge, export_default="wav")
        except SamaudioError as exc:
            failures += 1
            tqdm.write(f"Skipping {path}: {exc}", file=sys.stderr)
            continue
        if not report.ok:
            failures += 1
            bad = next(s for s in report.steps if not s.ok)
            tqdm.write(f"Skipping {path}: step {bad.index} ({bad.op}) failed: {bad.message}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(report.to_dict()))
        else:
            for s in report.steps:
                extra = f" scores={s.scores}" if s.scores else ""
                tqdm.write(f"{path}: {s.description}: {s.message}{extra}")
    done = len(args.inputs) - failures
    print(f"{done} of {len(args.inputs)} file(s) done; outputs in {out_dir}", file=sys.stderr)
    return 0 if failures == 0 else 1
