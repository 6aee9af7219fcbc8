"""``samaudio plan``: turn an instruction into a recipe (schema v1) without touching audio.

``samaudio plan "remove the wind" --duration 30 --json`` prints the recipe as JSON; without
``--json`` it prints one step a line. With ``-`` instead of an instruction it reads one
instruction a line from stdin and prints one JSON object a line — exactly one per input line,
so output line N answers input line N (a blank line is refused like any other non-instruction). A refusal is an answer, not a
failure: it prints ``{"version": 1, "steps": [], "error": "..."}`` and exits 0.
"""

from __future__ import annotations

import json
import sys

from samaudio_core.errors import SamaudioError
from samaudio_core.prompts import parse_time


def register(sub) -> None:
    p = sub.add_parser("plan", help="turn an instruction into a recipe (no audio is touched)")
    p.add_argument("instruction", help="what to do, in words; '-' reads one instruction a line from stdin")
    p.add_argument(
        "--duration", default=None, help="length of the input (seconds or m:ss), to resolve 'the last 5 s'"
    )
    p.add_argument("--json", action="store_true", help="print the recipe as JSON")
    p.add_argument(
        "--planner",
        default=None,
        help="rules, openai or llama-cpp (default: openai when configured, else rules)",
    )
    p.set_defaults(func=run)


def _plan_one(planner, instruction: str, duration: float | None):
    # Deferred, so building the CLI's parser stays light: tools.recipe loads pydantic.
    from tools.recipe import Recipe

    try:
        return planner.plan(instruction, duration=duration)
    except SamaudioError as exc:  # a planner that fails on one line must not end the stream
        return Recipe(steps=[], error=str(exc))


def run(args) -> int:
    # Imported here so that `samaudio --help` and other subcommands stay light.
    from agent.planners import get_planner

    duration = parse_time(args.duration) if args.duration not in (None, "") else None
    planner = get_planner(args.planner)
    if args.instruction == "-":
        for line in sys.stdin:
            recipe = _plan_one(planner, line.strip(), duration)
            sys.stdout.write(recipe.to_json() + "\n")
            sys.stdout.flush()
        return 0
    recipe = _plan_one(planner, args.instruction, duration)
    if args.json:
        print(json.dumps(json.loads(recipe.to_json()), indent=2))
        return 0
    if not recipe.steps:
        print(f"no steps: {recipe.error or recipe.reply or 'nothing to do'}")
        return 0
    for i, step in enumerate(recipe.steps, start=1):
        print(f"{i}. {step.describe()}")
    return 0
