"""The agent: instructions (typed or spoken) become recipes, run through the tools, judged.

>>> from agent import Agent
>>> Agent(workspace="out/").run("mix.wav", "remove the wind").reply

``Agent`` is imported on first use, so the CLI starts without loading the loop's
dependencies for subcommands that do not need them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Agent"]


def __getattr__(name: str) -> Any:
    if name == "Agent":
        from .loop import Agent

        return Agent
    raise AttributeError(name)
