"""The one standing-preference parser that session memory and the rules planner share."""

from __future__ import annotations

import pytest

from agent import memory
from agent.planners import rules
from agent.planners.rules import RulesPlanner
from agent.preferences import Preferences, detect_preference, is_standing, parse_preference


@pytest.mark.parametrize(
    "text,expected",
    [
        ("always export mp3", {"export_format": "mp3"}),
        ("From now on save everything as FLAC files", {"export_format": "flac"}),
        ("by default give me wave files", {"export_format": "wav"}),
        ("I prefer gentle noise removal", {"removal": "gentle"}),
        ("in future remove noise completely", {"removal": "full"}),
        ("normalize to -16 LUFS by default", {"lufs": -16.0}),
        ("going forward normalise to 14 LUFS", {"lufs": -14.0}),
        ("never export mp3", {"avoid_format": "mp3"}),
        ("never remove noise aggressively", {"removal": "gentle"}),
        ("remove the wind", {}),
        ("export as mp3", {}),
    ],
)
def test_parse_preference(text, expected):
    assert parse_preference(text) == expected


@pytest.mark.parametrize(
    "text", ["never mind", "remove the dog whenever it barks", "cut the click every time it happens"]
)
def test_edits_that_only_look_like_preferences_are_not_standing(text):
    assert not is_standing(text) and detect_preference(text) is None


def test_memory_and_planner_share_the_parser():
    assert memory.detect_preference is detect_preference and memory.Preferences is Preferences
    assert rules.extract_preferences is parse_preference
    text = "next time export ogg"
    assert Preferences.from_statements([text]).export_format == parse_preference(text)["export_format"]
    recipe = RulesPlanner().plan(text)  # a standing preference alone is noted, not applied
    assert recipe.steps == [] and "export_format = ogg" in recipe.reply


def test_later_statements_win_and_never_clears_a_format():
    p = Preferences.from_statements(["always export mp3", "I prefer gentle noise removal"])
    assert p.to_context() == {"export_format": "mp3", "removal": "gentle"}
    p = p.with_statement("never export mp3")
    assert p.export_format is None and p.gentle_removal
    assert p.with_statement("from now on remove noise completely").gentle_removal is False
