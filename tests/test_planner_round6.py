"""Round 6: sentence shapes the blind6 and blind7 sets showed the rules planner could not read.

Each case is a shape of sentence ("leave the rest" after a removal, a chat opener, "X off the clip",
"only want X left" ...), said with sound names and wording of its own. None of the sentences is
copied from a benchmark set.
"""

from __future__ import annotations

import json

import pytest
from helpers.plans import same, sep

from agent.planners import RulesPlanner

D = 120.0


def plan(instruction, duration=D, context=None):
    recipe = RulesPlanner().plan(instruction, duration=duration, context=context)
    return recipe, json.loads(recipe.to_json())["steps"]


CASES = [
    # what a removal already keeps, said after it; what an isolation already drops
    ("remove the hum and leave everything else alone", [sep("hum", "remove")]),
    ("lower the hum by 3 db, leave the rest untouched", [sep("hum", "gain", -3.0)]),
    ("keep only the oboe, lose everything around it", [sep("oboe", "isolate")]),
    ("Isolate: flute. Discard all other sounds.", [sep("flute", "isolate")]),
    ("keep the oboe, drop all other instruments", [sep("oboe", "isolate")]),
    # chat openers and pleas around the request
    ("yo remove the kazoo", [sep("kazoo", "remove")]),
    ("dude the slack pings are so annoying", [sep("slack pings", "remove")]),
    ("deadass the kettle is a bit too loud", [sep("kettle", "gain", -3.0)]),
    ("no more kazoo please im begging", [sep("kazoo", "remove")]),
    ("no more kazoo pls its driving me nuts", [sep("kazoo", "remove")]),
    # a sound taken off something, or every trace of it taken out
    ("get the fan off this clip", [sep("fan", "remove")]),
    ("strip the chair rattle off the interview", [sep("chair rattle", "remove")]),
    ("take every trace of the fan clicking out", [sep("fan clicking", "remove")]),
    # "only want X left": X is kept
    ("i only want the oboe left in the track", [sep("oboe", "isolate")]),
]


@pytest.mark.parametrize(("instruction", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_round6_phrasing(instruction, expected):
    _, steps = plan(instruction)
    assert same(steps, expected), steps


def test_discarding_edits_is_still_a_reset():
    _, steps = plan("discard all changes")
    assert steps == [{"op": "reset"}]
