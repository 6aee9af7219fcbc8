"""Saved recipes: "save this as a recipe NAME" in a chat, ``samaudio recipe list/show``, ``apply NAME``.

A saved recipe is a schema-v1 recipe file, ``<recipes folder>/NAME.json``. The folder is
``$SAMAUDIO_RECIPES`` when set, else ``$SAMAUDIO_HOME/recipes`` (``~/.samaudio/recipes``),
so it sits beside the sessions and memory and a test can point it at ``tmp_path``.

What a session saves is its *effective* steps: the edits on the workspace's undo stack
after its last reset, in order. An undone edit is off the stack, so it is not saved; a
reset drops everything before it. When the session exported, the last export's format is
kept as a final ``export`` step (without the session's file name: a batch names its own
outputs). Times in the steps stay seconds from the start of the input, as in any recipe.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from samaudio_core.atomic import atomic_write_text
from samaudio_core.errors import SamaudioError
from samaudio_core.workspace import Workspace
from tools.recipe import Recipe, load_recipe, parse_recipe

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: "save this as a recipe podcast", "save it as recipe called clean-voice", "save the recipe as x",
#: "please save these steps as a recipe named x". The word "recipe" is required: "save this as
#: mp3" is an export, not a recipe. A name that is not one word is caught by check_name, so the
#: user hears why instead of the planner reading "save ... foo bar" as an edit.
_SAVE = re.compile(
    r"^\s*(?:please\s+|can\s+you\s+|could\s+you\s+)?save\s+"
    r"(?:(?:this|that|it|these(?:\s+steps|\s+edits)?|the\s+(?:session|steps|edits)|what\s+(?:i|we)\s+did)\s+)?"
    r"(?:as\s+)?(?:an?\s+|the\s+)?recipe"
    r"(?:\s+(?:called|named|as))?(?:\s+[\"']?(?P<name>[^\"']+?)[\"']?)?"
    r"(?:\s+please)?\s*[.!]?\s*$",
    re.IGNORECASE,
)


class RecipeStoreError(SamaudioError):
    """A saved recipe cannot be found, named or written."""


def recipes_dir() -> Path:
    """Where saved recipes live: ``$SAMAUDIO_RECIPES`` or ``$SAMAUDIO_HOME/recipes``."""
    custom = os.environ.get("SAMAUDIO_RECIPES")
    if custom:
        return Path(custom).expanduser()
    # Deferred: agent.memory imports the tools (numpy, pydantic ...), which the rules planner,
    # importing this module for save_request, must not pay for.
    from .home import samaudio_home

    return samaudio_home() / "recipes"


def check_name(name: str) -> str:
    """``name`` if it can name a recipe file; RecipeStoreError (one line, why) otherwise."""
    if not _NAME_RE.match(name or ""):
        raise RecipeStoreError(
            f"invalid recipe name {name!r}: use letters, digits, '.', '_' or '-' (no spaces or slashes), "
            "up to 64 characters"
        )
    return name


def save_request(instruction: str) -> str | None:
    """The name in "save this as a recipe NAME" ("" when no name is given), None for anything else."""
    m = _SAVE.match(instruction)
    if not m:
        return None
    return m.group("name") or ""


def session_recipe(ws: Workspace) -> Recipe:
    """The session's effective steps as a recipe: undos and resets resolved (module docstring)."""
    stack = ws.history()
    last_reset = max(i for i, v in enumerate(stack) if v.id == 0)
    steps = [dict(v.step) for v in stack[last_reset + 1 :] if v.step]
    exports = ws.exports
    if steps and exports:
        fmt = Path(exports[-1]["path"]).suffix.lstrip(".").lower()
        steps.append({"op": "export", "format": fmt})
    return parse_recipe({"version": 1, "steps": steps})


def save_recipe(name: str, recipe: Recipe) -> tuple[Path, bool]:
    """Write ``recipe`` as ``NAME.json`` atomically; returns (path, whether it replaced one)."""
    path = recipes_dir() / f"{check_name(name)}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    atomic_write_text(path, json.dumps(json.loads(recipe.to_json()), indent=2) + "\n")
    return path, existed


def save_session(ws: Workspace, name: str) -> str:
    """Carry out "save this as a recipe NAME" on a session; returns the reply."""
    if not name:
        return "Give the recipe a name, e.g. 'save this as a recipe podcast-clean'. Nothing was saved."
    check_name(name)
    recipe = session_recipe(ws)
    if not recipe.steps:
        return "Nothing to save: this session has no edits (after undos and resets). Nothing was saved."
    path, replaced = save_recipe(name, recipe)
    listed = "; ".join(s.describe() for s in recipe.steps)
    verb = "Replaced" if replaced else "Saved"
    return (
        f"{verb} recipe '{name}' ({len(recipe.steps)} step(s): {listed}) in {path}. "
        f"Run it on a folder with: samaudio apply {name} FOLDER --out-dir OUT"
    )


def list_recipes() -> list[str]:
    """Names of the saved recipes, sorted."""
    folder = recipes_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in (".json", ".yaml", ".yml") and p.is_file())


def recipe_path(name: str) -> Path:
    """The file of the saved recipe ``name``; RecipeStoreError naming the saved ones if none."""
    check_name(name)
    for suffix in (".json", ".yaml", ".yml"):
        p = recipes_dir() / f"{name}{suffix}"
        if p.is_file():
            return p
    saved = list_recipes()
    known = f"saved recipes: {', '.join(saved)}" if saved else f"no recipes saved yet in {recipes_dir()}"
    raise RecipeStoreError(f"no recipe file or saved recipe named '{name}' ({known})")


def resolve_recipe(name_or_path: str) -> tuple[Recipe, str]:
    """A recipe from a file path or a saved name; returns (recipe, where it came from)."""
    p = Path(name_or_path)
    if p.is_file() or p.suffix.lower() in (".json", ".yaml", ".yml") or os.sep in name_or_path:
        return load_recipe(p), str(p)
    path = recipe_path(name_or_path)
    return load_recipe(path), str(path)


__all__ = [
    "RecipeStoreError",
    "list_recipes",
    "recipe_path",
    "recipes_dir",
    "resolve_recipe",
    "save_recipe",
    "save_request",
    "save_session",
    "session_recipe",
]
