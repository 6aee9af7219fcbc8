"""``samaudio recipe list`` / ``samaudio recipe show NAME``: the recipes saved from chats.

Recipes are saved with "save this as a recipe NAME" in ``samaudio chat`` into the recipes
folder (``$SAMAUDIO_RECIPES``, else ``$SAMAUDIO_HOME/recipes``; see :mod:`agent.recipes`),
and run over many files with ``samaudio apply NAME INPUTS... --out-dir DIR``.
"""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("recipe", help="list or show the recipes saved from chat sessions")
    actions = p.add_subparsers(dest="recipe_command", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="the saved recipes, one a line: name, steps")
    ls.add_argument("--json", action="store_true", help="print a JSON object {name: recipe}")
    ls.set_defaults(func=run_list)
    show = actions.add_parser("show", help="print one saved recipe (schema v1 JSON)")
    show.add_argument("name", metavar="NAME", help="a saved recipe's name, or a recipe file")
    show.set_defaults(func=run_show)


def run_list(args) -> int:
    from agent.recipes import list_recipes, recipe_path, recipes_dir
    from tools.recipe import RecipeError, load_recipe

    names = list_recipes()
    recipes = {}
    for name in names:
        try:
            recipes[name] = load_recipe(recipe_path(name))
        except RecipeError as exc:  # one broken file must not hide the others
            recipes[name] = exc
    if args.json:
        print(
            json.dumps(
                {n: json.loads(r.to_json()) for n, r in recipes.items() if not isinstance(r, Exception)}
            )
        )
        return 0
    if not names:
        print(f"no recipes saved yet in {recipes_dir()} (say 'save this as a recipe NAME' in samaudio chat)")
        return 0
    for name, recipe in recipes.items():
        if isinstance(recipe, Exception):
            print(f"{name}: unreadable: {recipe}")
        else:
            print(f"{name}: {len(recipe.steps)} step(s): {'; '.join(s.describe() for s in recipe.steps)}")
    return 0


def run_show(args) -> int:
    from agent.recipes import resolve_recipe

    recipe, _where = resolve_recipe(args.name)
    print(json.dumps(json.loads(recipe.to_json()), indent=2))
    return 0
