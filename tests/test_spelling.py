"""Typing slips: respelt when one spelling is clearly meant, left alone otherwise, and planned."""

from __future__ import annotations

import pytest

from agent.planners import RulesPlanner
from agent.planners.spelling import fix_opening_verb, fix_typos

D = 120.0


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("remvoe teh hum", "remove the hum"),  # swapped letters
        ("mkae the vocals quiter", "make the vocals quieter"),  # a domain word beats "quitter", "quite"
        ("expot it as mp3", "export it as mp3"),
        ("only frm 5 to 15 s", "only from 5 to 15 s"),  # a common word beats "farm", "form"
        ("Remvoe the wind", "Remove the wind"),  # capital kept
        ("nromalize the loudness", "normalize the loudness"),  # two edits: domain words only
    ],
)
def test_clear_slips_are_respelt(typed, meant):
    assert fix_typos(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "normalize for spotify",  # names and jargon the English list lacks
        "pull out the bassline",
        "remove the vuvuzela",  # a sound nobody misspelt: a prompt, not a slip
        "make the theremin quieter",  # not "therein": a rare word is no better a guess than a name
        "you can hear the neighbour's dog",  # British spelling
        "export as wma",  # three letters never lose one ("ma")
        "record it on my iPhone",  # capitals inside a word: a name
        "save to ./remvoe.wav",  # paths and file names are the user's
        "the hum at 0:30-0:32",
        "i wat to hear only the narrator",  # want or what, both one letter short: left as typed
    ],
)
def test_words_without_one_clear_spelling_are_left(text):
    assert fix_typos(text) == text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # a verb's place, before its object: "the" is no verb, whatever is commoner
        ("tae the clapping out", "take the clapping out"),
        ("pll out the bassline", "pull out the bassline"),
        ("trn it up 4 dB", "turn it up 4 dB"),
        ("lowr the music", "lower the music"),
        # a word so rare the list's odd entries hide the slip, one edit from an instruction word
        ("remove the hum ony between 0:20 and 0:40", "remove the hum only between 0:20 and 0:40"),
        ("you can clearly hera the rain", "you can clearly hear the rain"),
        ("basically I juts want the piano", "basically I just want the piano"),
        ("trim the lats 8", "trim the last 8"),
        ("trim to 0:15 dsah 0:45", "trim to 0:15 dash 0:45"),
        ("make it loud eough for a podcast", "make it loud enough for a podcast"),  # not the sound "cough"
        # real words that only their neighbours show to be slips
        ("you can her my cat", "you can hear my cat"),
        ("remove the reverb form the vocal", "remove the reverb from the vocal"),
        ("get ride of the beeps", "get rid of the beeps"),
        ("boost the vocals by for dB", "boost the vocals by four dB"),
        ("cut the fist 2 seconds", "cut the first 2 seconds"),
        # stretched for emphasis: put back, never read as another word ("sooo" is not "solo")
        ("ugh the kettledrum is sooo annoying", "ugh the kettledrum is so annoying"),
        ("the voice needs a 3 dB booost", "the voice needs a 3 dB boost"),
        ("thee's fan noise the whole time", "there's fan noise the whole time"),
    ],
)
def test_slips_read_from_where_the_word_stands(typed, meant):
    assert fix_typos(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "remove the oud",  # right after "the": the user's name for a sound, not "out"
        "boost the leaf blower a touch",  # a name's second word: not "lower", though it stands before "a"
        "remove leaf blower",  # "blower" is rare, not rare enough to be a slip
        "shave the final 4 seconds",  # a verb of its own, not "save"
        "the ending cuts off abruptly",  # an inflected verb is no slip of "cut"
        "can her voice be louder",  # only "you/I/we can her" is "hear"
    ],
)
def test_words_their_place_does_not_make_slips(text):
    assert fix_typos(text) == text


def test_opening_verb_of_a_verbless_clause():
    assert fix_opening_verb("please isloate the vocals") == "please isolate the vocals"
    assert fix_opening_verb("the rest of it") == "the rest of it"  # not "reset": only the opening word


@pytest.mark.parametrize(
    ("instruction", "steps"),
    [
        ("remvoe teh hum", [{"op": "separate", "action": "remove", "target": "hum"}]),
        ("make the vocals quiter", [{"op": "separate", "action": "gain", "target": "vocals", "db": -6.0}]),
        (
            "nromalize to -16 lufs and expot as flac",
            [{"op": "normalize", "lufs": -16.0}, {"op": "export", "format": "flac"}],
        ),
    ],
)
def test_slipped_instructions_plan_as_meant(instruction, steps):
    recipe = RulesPlanner().plan(instruction, duration=D)
    assert recipe.error is None, recipe.error
    assert [s.model_dump(exclude_none=True) for s in recipe.steps] == steps


def test_a_slip_does_not_get_past_the_safety_check():
    recipe = RulesPlanner().plan("expot to /etc/passwd", duration=D)
    assert recipe.steps == [] and "outside the output folder" in recipe.error


def test_the_word_list_is_cached_and_a_torn_cache_is_rebuilt(tmp_path, monkeypatch):
    from agent.planners import spelling

    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path))
    spelling._checker.cache_clear()
    try:
        assert spelling.fix_typos("remvoe it") == "remove it"
        (cache,) = (tmp_path / "cache").glob("spelling-en-*.pickle")
        cache.write_bytes(b"torn")  # a write cut short, or another Python's pickle
        spelling._checker.cache_clear()
        assert spelling.fix_typos("remvoe it") == "remove it"
        assert cache.stat().st_size > 1_000_000  # rebuilt whole
    finally:
        spelling._checker.cache_clear()


def test_the_stem_of_a_contraction_is_no_slip():
    assert fix_typos("the first 3 seconds aren't needed") == "the first 3 seconds aren't needed"
    assert fix_typos("it isn't good, remvoe it") == "it isn't good, remove it"
