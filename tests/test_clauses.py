"""Run-on sentences (no commas, no full stops) plan as their punctuated forms do (issue 14 round 4).

People type fast and Whisper drops the commas a speaker pauses for; the rules planner reads one
clause at a time, so :mod:`agent.planners.clauses` restores the breaks before a command verb."""

from __future__ import annotations

import pytest

from agent.planners.clauses import split_run_on
from agent.planners.rules import RulesPlanner
from tests.helpers.plans import same, sep, steps_of


@pytest.mark.parametrize(
    "run_on",
    [
        "the bass sounds boomy turn it down 4 dB",
        "remove the traffic make the voice 2 dB louder and export flac",
        "I can hear a fridge hum get rid of it",
        "the narrator make her louder",
        "take out the birds fade out over 3 seconds and export as mp3",
        "my recording has a hiss can you remove it",
        "hi everyone I need to remove the wind from my video thanks",
    ],
)
def test_run_on_plans_like_its_punctuated_form(run_on):
    punctuated = {
        "the bass sounds boomy turn it down 4 dB": "the bass sounds boomy, turn it down 4 dB",
        "remove the traffic make the voice 2 dB louder and export flac": "remove the traffic, make the voice 2 dB louder and export flac",
        "I can hear a fridge hum get rid of it": "I can hear a fridge hum. Get rid of it",
        "the narrator make her louder": "the narrator, make her louder",
        "take out the birds fade out over 3 seconds and export as mp3": "take out the birds, fade out over 3 seconds and export as mp3",
        "my recording has a hiss can you remove it": "my recording has a hiss. Can you remove it?",
        "hi everyone I need to remove the wind from my video thanks": "hi everyone! I need to remove the wind from my video. thanks",
    }[run_on]
    planner = RulesPlanner()
    got, want = steps_of(planner.plan(run_on, duration=60.0)), steps_of(planner.plan(punctuated, duration=60.0))
    assert got == want and got, (got, want)


def test_run_on_exact_plans():
    planner = RulesPlanner()
    assert same(steps_of(planner.plan("the bass sounds boomy turn it down 4 dB")), [sep("bass", "gain", db=-4.0)])
    assert same(
        steps_of(planner.plan("remove the traffic make the voice 2 dB louder and export flac")),
        [sep("traffic", "remove"), sep("voice", "gain", db=2.0), {"op": "export", "format": "flac"}],
    )


@pytest.mark.parametrize(
    "clause",
    [
        "can you remove the hum",  # a request leads into its verb
        "i would like to make the vocals louder",
        "help me remove the hiss",
        "gently take out the hiss",  # an adverb leads into the verb
        "add a 3 second fade out",  # a length makes "fade out" a noun
        "the final cut has a buzz",  # a determiner makes "cut" a noun
        "they keep talking",  # "keep" with no object is no command
    ],
)
def test_clause_that_is_one_command_stays_whole(clause):
    assert split_run_on(clause) == [clause]


def test_split_points():
    assert split_run_on("the kick sounds weak boost it by 3 db") == ["the kick sounds weak", "boost it by 3 db"]
    assert split_run_on("remove the wind make the voice louder normalize export mp3") == [
        "remove the wind", "make the voice louder", "normalize", "export mp3",
    ]  # fmt: skip
