"""Prompt templates (``prompts/*.yaml``) and their strict renderer.

Data for every layer above ``samaudio_core``: the agent's system prompt, tool guidance and
few-shot examples, and the judge feedback a tool shows a model. Loaded with
:mod:`importlib.resources` and rendered with jinja2 ``StrictUndefined`` (see :mod:`prompts.render`).
"""

from __future__ import annotations

from .render import few_shot_messages, load_prompts, render, tool_guidance

__all__ = ["few_shot_messages", "load_prompts", "render", "tool_guidance"]
