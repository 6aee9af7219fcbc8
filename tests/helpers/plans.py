"""Exact-plan helpers shared by the planner tests: build expected steps, compare plans."""

from __future__ import annotations

import json

from tools.recipe import Recipe, parse_recipe


def sep(target, action, db=None, range=None, spans=None):
    step = {"op": "separate", "target": target, "action": action}
    if db is not None:
        step["db"] = db
    if range is not None:
        step["range"] = range
    if spans is not None:
        step["spans"] = spans
    return step


def steps_of(recipe: Recipe) -> list[dict]:
    return json.loads(recipe.to_json())["steps"]


def plan(instruction, duration=120.0, context=None):
    """The rules planner's recipe for ``instruction`` and its steps as JSON."""
    from agent.planners import RulesPlanner

    recipe = RulesPlanner().plan(instruction, duration=duration, context=context)
    return recipe, steps_of(recipe)


def same(got: list[dict], want: list[dict]) -> bool:
    """Exact match, with floats compared to 1e-6 (intervals come back as lists)."""
    got = json.loads(json.dumps(got))
    want = json.loads(json.dumps(parse_recipe({"steps": want}).model_dump(exclude_none=True)["steps"]))
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if set(g) != set(w):
            return False
        for key, value in w.items():
            if isinstance(value, float):
                if abs(g[key] - value) > 1e-6:
                    return False
            elif isinstance(value, list):
                if json.loads(json.dumps(g[key])) != [[float(a), float(b)] for a, b in value]:
                    return False
            elif g[key] != value:
                return False
    return True
