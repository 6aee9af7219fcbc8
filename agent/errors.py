"""Errors of the agent layer.

Two kinds of error exist here (STYLE.md #8). Mistakes a planner or LLM makes (an unknown
tool, bad arguments, a time past the end) are not exceptions at all: the loop turns them
into observation text that names the valid choices. What reaches the user is a
:class:`AgentError` (a :class:`SamaudioError`, so the CLI prints one clean line): a planner
that cannot be reached or is not installed, speech that cannot be transcribed, a session
that cannot be resumed. Programmer errors stay ordinary Python exceptions.
"""

from __future__ import annotations

from samaudio_core.errors import SamaudioError


class AgentError(SamaudioError):
    """Base class of the agent's user-facing errors."""


class PlannerUnavailableError(AgentError):
    """A planner cannot run here: endpoint unreachable, extra not installed, model missing."""


class PlannerOutputError(AgentError):
    """A planner kept producing output that is not a valid recipe, even after repair."""


class SpeechError(AgentError):
    """A spoken instruction could not be transcribed (unreadable file, missing model)."""


class SessionError(AgentError):
    """A chat or do session cannot be created or resumed."""
