"""The verbs the agent and batch recipes can call.

``get_tools(workspace)`` returns every recipe op (separate, gain, fade, trim, normalize,
export, undo, reset) plus ``find_spans`` and ``describe`` as LangChain tools acting on one
workspace; the recipe model lives in ``tools.recipe`` and the runner in ``tools.runner``.
LangChain is imported only when tools are asked for, so ``samaudio apply`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["get_tools"]


def get_tools(workspace: Any, **options: Any) -> list:
    """LangChain tools over ``workspace`` (a ``samaudio_core.workspace.Workspace``).

    ``options`` are :class:`tools.lc_tools.ToolContext` fields: ``engine``, ``judge``,
    ``allowed_files``, ``threshold``, ``export_format``, ``progress``.
    """
    from .lc_tools import ToolContext, build_tools

    return build_tools(ToolContext(ws=workspace, **options))
