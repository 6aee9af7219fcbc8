"""Prompt templates as package data, rendered strictly (STYLE.md #9).

The templates live in ``prompts/*.yaml`` and are read with :mod:`importlib.resources`, so
they work from a wheel as well as from a checkout. They are rendered with jinja2 and
``StrictUndefined``: a variable the caller forgot to pass fails loudly instead of turning
into an empty string inside a prompt.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

_env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)


@cache
def load_prompts(name: str) -> dict[str, Any]:
    """The parsed ``prompts/<name>.yaml``."""
    text = resources.files("prompts").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"prompts/{name}.yaml must hold a mapping")
    return data


def render(name: str, key: str, **variables: Any) -> str:
    """Render template ``key`` of ``prompts/<name>.yaml`` with exactly these variables."""
    template = load_prompts(name)[key]
    return _env.from_string(template).render(**variables).strip()


def tool_guidance() -> str:
    return load_prompts("tool_guidance")["guidance"].strip()


def few_shot_messages() -> list[tuple[str, str]]:
    """The few-shot examples as (role, content) pairs: a user turn, then the recipe as JSON."""
    pairs: list[tuple[str, str]] = []
    for ex in load_prompts("examples")["examples"]:
        pairs.append(("human", f"[duration {ex['duration']} s] {ex['instruction']}"))
        pairs.append(("ai", json.dumps(ex["recipe"])))
    return pairs
