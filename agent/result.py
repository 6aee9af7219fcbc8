"""What one instruction did: :class:`AgentResult`, shared by the loop, recipe mode and the reply."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tools.runner import StepReport


@dataclass
class AgentResult:
    """What one instruction did.

    reply : the answer for the user; ok : every step ran, every separation passed the judge,
        and the loop did not stop at its step limit
    recipe : the plan (recipe mode) or the steps the model called (tool mode), as a dict
    steps : the step reports; outputs : exported files; attempts : separations computed,
        refinement rungs included
    limit_reached : tool mode stopped at ``max_steps`` without a final answer (the best
        attempt so far is kept, flagged failed)
    """

    instruction: str
    reply: str
    ok: bool
    session: str
    planner: str
    recipe: dict[str, Any] | None = None
    steps: list[StepReport] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attempts: int = 0
    judge_passed: bool | None = None
    refused: bool = False
    limit_reached: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["steps"] = [asdict(s) for s in self.steps]
        return d
