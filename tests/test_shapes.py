"""Whole-sentence request shapes are planned as the command they mean (agent/planners/shapes.py)."""

from __future__ import annotations

import pytest
from helpers.plans import plan

from agent.planners import RulesPlanner

D = 120.0


def _steps(text):
    recipe, steps = plan(text, duration=D)
    assert recipe.error is None, recipe.error
    return steps


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


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("have the recording start at 0:07", [{"op": "trim", "start": 7.0}]),
        ("the file should begin at 0:20", [{"op": "trim", "start": 20.0}]),
        ("finish the track at 1:30", [{"op": "trim", "start": 0.0, "end": 90.0}]),
        ("nothing past 1:10", [{"op": "trim", "start": 0.0, "end": 70.0}]),
        ("skip the opening 6 seconds", [{"op": "trim", "start": 6.0}]),
        ("we just need 0:15 until 0:45", [{"op": "trim", "start": 15.0, "end": 45.0}]),
        ("crop the clip down to 0:05-0:50", [{"op": "trim", "start": 5.0, "end": 50.0}]),
        ("could we get the clip as an ogg", [{"op": "export", "format": "ogg"}]),
        ("forget it, undo", [{"op": "undo"}]),
        ("scratch that. take it back", [{"op": "undo"}]),
        ("clear every edit", [{"op": "reset"}]),
    ],
)
def test_edits_with_no_sound_in_their_shapes(text, steps):
    assert _steps(text) == steps


def test_there_is_names_a_sound_whose_name_is_also_a_verb():
    # "clicks" after "there's" is the sound's name, not what the keyboard does
    assert _steps("there's keyboard clicks in the background, remove it") == [
        {"op": "separate", "action": "remove", "target": "keyboard clicks"}
    ]


@pytest.mark.parametrize(
    ("text", "step"),
    [
        # where the sound is alone is a span prompt, however it is said
        (
            "the lawnmower is isolated from 0:20 to 0:23, get rid of it throughout",
            {"action": "remove", "target": "lawnmower", "spans": [[20.0, 23.0]]},
        ),
        (
            "between 0:40 and 0:44 it's just the car alarm, remove it everywhere",
            {"action": "remove", "target": "car alarm", "spans": [[40.0, 44.0]]},
        ),
        # "only" after the stretch limits the edit to it (a range)
        (
            "take the applause out from 1:00 to 1:10 only",
            {"action": "remove", "target": "applause", "range": [[60.0, 70.0]]},
        ),
    ],
)
def test_clause_shapes_with_times(text, step):
    assert _steps(text) == [{"op": "separate", **step}]


def test_a_verbless_amount_after_a_cut_goes_down_too():
    assert _steps("turn down the kick by 2 dB and the snare by 4 dB") == [
        {"op": "separate", "action": "gain", "target": "kick", "db": -2.0},
        {"op": "separate", "action": "gain", "target": "snare", "db": -4.0},
    ]
    # a sign of its own wins
    assert _steps("lower the kick 2 dB, snare +1 dB")[1]["db"] == 1.0


def test_a_minute_said_as_words_in_a_range():
    assert _steps("mute the phone between a minute and a minute twenty") == [
        {"op": "separate", "action": "remove", "target": "phone", "range": [[60.0, 80.0]]}
    ]


@pytest.mark.parametrize("text", ["hey hey, just saying hi from Porto", "hi, just wanted to say thanks"])
def test_a_greeting_that_says_it_is_one_asks_for_nothing(text):
    recipe = RulesPlanner().plan(text, duration=D)
    assert recipe.steps == [] and "no audio edit" in recipe.error


def test_a_greeting_before_a_request_leaves_the_request():
    assert _steps("just saying hi, remove the hum please") == [{"op": "separate", "action": "remove", "target": "hum"}]
    assert _steps("I just wanted to say the hum is too loud") == [
        {"op": "separate", "action": "gain", "target": "hum", "db": -6.0}
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("stretch the fade-out across four whole minutes", "longer than the audio"),  # "whole" before the unit
        ("splice out 0:40-0:50 so the two halves meet", "out of the middle"),
        ("take the owl out starting 1:30 and ending 1:05", "reversed"),  # "starting T" with no "at"
        ("can we play it at double speed", "not an edit I can make"),
        ("put the whole clip in slow motion", "not an edit I can make"),
    ],
)
def test_impossible_requests_said_in_new_words_are_refused(text, why):
    recipe = RulesPlanner().plan(text, duration=D)
    assert recipe.steps == [] and why in recipe.error
