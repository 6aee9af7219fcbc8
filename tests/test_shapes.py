"""Whole-sentence request shapes are planned as the command they mean (agent/planners/shapes.py)."""

from __future__ import annotations

import pytest

from agent.planners import RulesPlanner

D = 120.0


def _steps(text):
    recipe = RulesPlanner().plan(text, duration=D)
    assert recipe.error is None, recipe.error
    return [s.model_dump(exclude_none=True) for s in recipe.steps]


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("I want the sitar and nothing else", {"action": "isolate", "target": "sitar"}),
        ("just the church bells, nothing more", {"action": "isolate", "target": "church bells"}),
        ("only the lead guitar should be left", {"action": "isolate", "target": "lead guitar"}),
        ("the narrator is all that should remain", {"action": "isolate", "target": "narrator"}),
        ("could you make the air conditioner disappear", {"action": "remove", "target": "air conditioner"}),
        ("make the squeaky chair vanish please", {"action": "remove", "target": "squeaky chair"}),
        ("give the backing vocals 2 dB more", {"action": "gain", "target": "backing vocals", "db": 2.0}),
        ("give the snare a 4 dB boost", {"action": "gain", "target": "snare", "db": 4.0}),
        ("the crowd is too loud, fix it", {"action": "gain", "target": "crowd", "db": -6.0}),
        ("the vocals are a bit too quiet, can you fix that", {"action": "gain", "target": "vocals", "db": 3.0}),
        ("tame the cymbals", {"action": "gain", "target": "cymbals", "db": -6.0}),  # not respelt "take"
    ],
)
def test_a_shape_plans_as_its_plain_command(text, step):
    assert _steps(text) == [{"op": "separate", **step}]


def test_a_shape_matches_the_whole_instruction_only():
    # a longer sentence keeps its own reading: the keep-only shape does not swallow a second request
    assert _steps("remove the hiss and nothing else") == [{"op": "separate", "action": "remove", "target": "hiss"}]
