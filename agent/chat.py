"""What tool mode needs of a chat model: find it, bind the tools, call it, read its answers.

A chat model is anything with ``bind_tools`` and ``invoke`` (``ChatOpenAI``, a scripted fake),
or what a planner's ``tool_model()`` returns. Endpoint errors are sorted by
``agent.planners.openai_planner.classify_llm_error``: no tool calling raises
:class:`NoToolCalling` (the agent then asks for a JSON recipe), an unreachable endpoint
:class:`agent.errors.PlannerUnavailableError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from prompts import render, tool_guidance
from samaudio_core.audio import VIDEO_EXTENSIONS
from samaudio_core.workspace import Workspace
from tools.lc_tools import ToolContext, build_tools, call_tool

from .errors import PlannerUnavailableError
from .planners.openai_planner import classify_llm_error


class NoToolCalling(Exception):
    """The chat endpoint does not do tool calling; the agent asks for a JSON recipe instead."""


def tool_model(planner: Any) -> Any:
    """The tool-calling chat model behind ``planner``, or None for recipe-only planners."""
    if hasattr(planner, "bind_tools") and hasattr(planner, "invoke"):
        return planner
    getter = getattr(planner, "tool_model", None)
    return getter() if callable(getter) else None


def bind_tools(model: Any, tctx: ToolContext) -> tuple[Any, dict[str, Any]]:
    """(the model with the tools bound, the tools by name)."""
    tools = {t.name: t for t in build_tools(tctx)}
    try:
        return model.bind_tools(list(tools.values())), tools
    except NotImplementedError:  # e.g. scripted fake models: they emit tool calls anyway
        return model, tools


def opening(
    ws: Workspace, instruction: str, prefs: Any, memories: list[str], threshold: float, max_steps: int
) -> list:
    """The system prompt (``prompts/system.yaml``: agent) and the user's instruction."""
    system = render(
        "system", "agent", input_name=Path(ws.original.path).name, duration=ws.duration,
        input_is_video=Path(ws.original.path).suffix.lower() in VIDEO_EXTENSIONS,
        preferences=prefs.statements if prefs else [], memory=memories, threshold=threshold,
        max_steps=max_steps, tool_guidance=tool_guidance(),
    )  # fmt: skip
    return [SystemMessage(system), HumanMessage(instruction)]


def invoke(model: Any, messages: list[Any]) -> Any:
    """The model's next message; endpoint errors as :class:`NoToolCalling` or unavailable."""
    try:
        return model.invoke(messages)
    except StopIteration:  # a scripted model ran out of turns
        return AIMessage("(the model gave no further answer)")
    except Exception as exc:
        kind, message = classify_llm_error(exc)
        if kind == "no_tools":
            raise NoToolCalling(message) from None
        if kind == "unreachable":
            raise PlannerUnavailableError(message) from None
        raise


def run_call(tools: dict[str, Any], call: dict[str, Any], n: int) -> ToolMessage:
    """Run one tool call; the observation (an error included) as the model's next input."""
    return ToolMessage(
        call_tool(tools, call["name"], call.get("args")), tool_call_id=call.get("id") or f"call-{n}"
    )


def unreadable(call: dict[str, Any], tools: dict[str, Any], n: int) -> ToolMessage:
    """The observation for a call whose arguments were not even JSON."""
    obs = (
        f"error: the call to {call.get('name') or '?'} could not be read ({call.get('error') or 'bad JSON'}): "
        f"arguments must be a JSON object. Valid tools: {', '.join(tools)}."
    )
    return ToolMessage(obs, tool_call_id=call.get("id") or f"bad-{n}")


def text_of(content: Any) -> str:
    """A message's content as plain text."""
    if isinstance(content, list):
        return " ".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content).strip()
    return str(content or "").strip()


__all__ = [
    "NoToolCalling",
    "bind_tools",
    "invoke",
    "opening",
    "run_call",
    "text_of",
    "tool_model",
    "unreadable",
]
