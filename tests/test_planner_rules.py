"""The embedded rules planner: exact recipes for many phrasings, refusals, and ``samaudio plan``."""

from __future__ import annotations

import io
import json
import time

import pytest
from helpers.plans import same, sep, steps_of

from agent.cli import main
from agent.planners import PlanContext, Planner, PlannerError, RulesPlanner, default_planner_name, get_planner
from agent.planners.rules import extract_preferences
from agent.planners.timeparse import find_times, words_to_numbers
from tools.recipe import Recipe, parse_recipe

D = 120.0  # duration (s) of the imaginary input unless a case says otherwise


CASES = [
    # remove / isolate, with synonyms and filler
    ("remove the wind", D, [sep("wind", "remove")]),
    ("get rid of that annoying hum", D, [sep("hum", "remove")]),
    ("kill the hiss please", D, [sep("hiss", "remove")]),
    ("could you eliminate the traffic noise from the recording?", D, [sep("traffic noise", "remove")]),
    ("take the reverb out", D, [sep("reverb", "remove")]),
    ("can you get rid of that buzzing sound?", D, [sep("buzzing", "remove")]),
    ("isolate the vocals", D, [sep("vocals", "isolate")]),
    ("keep only the piano", D, [sep("piano", "isolate")]),
    ("just the drums", D, [sep("drums", "isolate")]),
    ("solo the bass guitar", D, [sep("bass guitar", "isolate")]),
    ("remove everything but the voice", D, [sep("voice", "isolate")]),
    ("keep everything except the drums", D, [sep("drums", "remove")]),
    ("make a karaoke version", D, [sep("vocals", "remove")]),
    ("turn the hi-hats down slightly", D, [sep("hi-hats", "gain", -3.0)]),
    # level changes on a target and on the whole mix
    ("make the vocals 3 dB louder", D, [sep("vocals", "gain", 3.0)]),
    ("turn the guitar down by 4db", D, [sep("guitar", "gain", -4.0)]),
    ("boost the kick drum a bit", D, [sep("kick drum", "gain", 3.0)]),
    ("lower the music a lot", D, [sep("music", "gain", -10.0)]),
    ("vocals +3 dB", D, [sep("vocals", "gain", 3.0)]),
    ("vocals -2 dB", D, [sep("vocals", "gain", -2.0)]),
    ("vocals up 3", D, [sep("vocals", "gain", 3.0)]),
    ("make it louder", D, [{"op": "gain", "db": 6.0}]),
    ("half the volume", D, [{"op": "gain", "db": -6.0}]),
    ("double the volume", D, [{"op": "gain", "db": 6.0}]),
    ("make everything 4 dB quieter", D, [{"op": "gain", "db": -4.0}]),
    ("turn it down by minus three decibels", D, [{"op": "gain", "db": -3.0}]),
    # span prompts and ranges
    ("the bird at 0:12-0:14, find it everywhere", D, [sep("bird", "isolate", spans=[[12, 14]])]),
    ("the bird at 0:12\u20130:14, find it everywhere", D, [sep("bird", "isolate", spans=[[12, 14]])]),
    ("there's a siren at 1:05 to 1:08, remove it everywhere", D, [sep("siren", "remove", spans=[[65, 68]])]),
    ("remove the dog barking, it's at 0:03-0:05", D, [sep("dog barking", "remove", spans=[[3, 5]])]),
    ("remove the hum only between 0:30 and 0:45", D, [sep("hum", "remove", range=[[30, 45]])]),
    ("only between 0:30 and 0:45, remove the hum", D, [sep("hum", "remove", range=[[30, 45]])]),
    ("keep only the guitar from 0:30 to 0:45", D, [sep("guitar", "isolate", range=[[30, 45]])]),
    ("remove the wind in the last 15 seconds", D, [sep("wind", "remove", range=[[105, 120]])]),
    ("remove the clicks after 1:30", D, [sep("clicks", "remove", range=[[90, 120]])]),
    ("lower the crowd before 0:15 by 3 dB", D, [sep("crowd", "gain", -3.0, range=[[0, 15]])]),
    ("remove the hum from 1m10s to 1m25s", D, [sep("hum", "remove", range=[[70, 85]])]),
    ("remove the siren from 00:01:30.5 to 00:01:40", D, [sep("siren", "remove", range=[[90.5, 100]])]),
    ("remove the siren from 90 to 100", D, [sep("siren", "remove", range=[[90, 100]])]),
    ("mute the first 2 seconds", D, [{"op": "gain", "db": -60.0, "range": [[0, 2]]}]),
    # trim: times as the object of a remove verb
    ("cut the first 5 seconds", D, [{"op": "trim", "start": 5.0}]),
    ("cut the last 5 seconds", 60.0, [{"op": "trim", "start": 0.0, "end": 55.0}]),
    ("trim to 0:20-0:50", D, [{"op": "trim", "start": 20.0, "end": 50.0}]),
    ("trim it to 0:05 - 0:35", D, [{"op": "trim", "start": 5.0, "end": 35.0}]),
    ("keep only from 0:40 to 1:20", D, [{"op": "trim", "start": 40.0, "end": 80.0}]),
    ("cut everything after 1:00", D, [{"op": "trim", "start": 0.0, "end": 60.0}]),
    ("remove the first minute", 180.0, [{"op": "trim", "start": 60.0}]),
    ("trim 5 seconds off the end", D, [{"op": "trim", "start": 0.0, "end": 115.0}]),
    # fades, normalize, export
    ("fade in", D, [{"op": "fade", "direction": "in", "seconds": 3.0}]),
    ("add a 5 second fade out", D, [{"op": "fade", "direction": "out", "seconds": 5.0}]),
    ("fade out the last 6 seconds", D, [{"op": "fade", "direction": "out", "seconds": 6.0}]),
    ("normalize", D, [{"op": "normalize", "lufs": -14.0}]),
    ("normalize it for podcasts", D, [{"op": "normalize", "lufs": -16.0}]),
    ("normalize to -23 lufs for broadcast", D, [{"op": "normalize", "lufs": -23.0}]),
    ("export mp3", D, [{"op": "export", "format": "mp3"}]),
    ("save as an ogg file", D, [{"op": "export", "format": "ogg"}]),
    ("save it as Final.flac", D, [{"op": "export", "format": "flac", "path": "Final.flac"}]),
    ("export", D, [{"op": "export", "format": "wav"}]),
    # undo / reset
    ("undo", D, [{"op": "undo"}]),
    ("undo the last two changes", D, [{"op": "undo"}, {"op": "undo"}]),
    ("start over", D, [{"op": "reset"}]),
    ("go back to the original", D, [{"op": "reset"}]),
    # several steps in one sentence
    (
        "remove the wind, make the voice 3 dB louder and export mp3",
        D,
        [sep("wind", "remove"), sep("voice", "gain", 3.0), {"op": "export", "format": "mp3"}],
    ),
    ("remove the dog and the traffic", D, [sep("dog", "remove"), sep("traffic", "remove")]),
    (
        "make the vocals and the guitar 3 dB louder",
        D,
        [sep("vocals", "gain", 3.0), sep("guitar", "gain", 3.0)],
    ),
    (
        "cut the first 2 seconds and normalize for podcasts",
        D,
        [{"op": "trim", "start": 2.0}, {"op": "normalize", "lufs": -16.0}],
    ),
    # casual and indirect
    ("ugh the wind is ruining this clip", D, [sep("wind", "remove")]),
    ("I can't hear the singer", D, [sep("singer", "gain", 6.0)]),
    ("the drums are way too loud", D, [sep("drums", "gain", -10.0)]),
    ("the voice is too quiet", D, [sep("voice", "gain", 6.0)]),
    ("there's a dog barking in the background", D, [sep("dog barking", "remove")]),
    ("I don't want the birds", D, [sep("birds", "remove")]),
    ("can I hear just the bass?", D, [sep("bass", "isolate")]),
    # times Whisper writes, and a sentence's full stop after a number
    ("remove the siren from 90 to 100.", D, [sep("siren", "remove", range=[[90, 100]])]),
    ("isolate the whistle at 0.30-0.32", D, [sep("whistle", "isolate", spans=[[30, 32]])]),
    ("remove the talking before 010.", D, [sep("talking", "remove", range=[[0, 10]])]),
    ("boost the vocals by 3D B", D, [sep("vocals", "gain", 3.0)]),
    (
        "remove the hum everywhere except between 0:10 and 0:20",
        D,
        [sep("hum", "remove", range=[[0, 10], [20, 120]])],
    ),
    ("find the dog at 0:03 to 0:05 and remove it", D, [sep("dog", "remove", spans=[[3, 5]])]),
    ("keep the speech and ditch the rest", D, [sep("speech", "isolate")]),
    ("cut the intro, the first 8 seconds", D, [{"op": "trim", "start": 8.0}]),
    ("fade out starting at 1:50", D, [{"op": "fade", "direction": "out", "seconds": 10.0}]),
    # nouns for verbs, more/less, both ends
    ("noise reduction", D, [sep("noise", "remove")]),
    ("denoise the dialogue", D, [sep("dialogue", "isolate")]),
    ("a bit more guitar", D, [sep("guitar", "gain", 3.0)]),
    ("way less crowd noise", D, [sep("crowd noise", "gain", -10.0)]),
    ("trim the first and last second", D, [{"op": "trim", "start": 1.0, "end": 119.0}]),
    ("keep the part between 1:00 and 1:30", D, [{"op": "trim", "start": 60.0, "end": 90.0}]),
    ("the drummer in the middle, keep only him", D, [sep("drummer", "isolate")]),
    # number words, as Whisper writes them
    ("make the voice three decibels louder", D, [sep("voice", "gain", 3.0)]),
    ("cut the first ten seconds", D, [{"op": "trim", "start": 10.0}]),
    ("boost the vocals by two point five decibels", D, [sep("vocals", "gain", 2.5)]),
    ("remove the hum between thirty and forty five seconds", D, [sep("hum", "remove", range=[[30, 45]])]),
    # a minute count before "minute N" is a time of its own, not "minute 30" = 30:00
    ("remove the siren from 1 minute 30 seconds to 1 minute 40 seconds", D, [sep("siren", "remove", range=[[90, 100]])]),
    ("remove the siren from 1 minute 30 to 1 minute 40", D, [sep("siren", "remove", range=[[90, 100]])]),
]


@pytest.mark.parametrize(("instruction", "duration", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_exact_recipe(instruction, duration, expected):
    recipe = RulesPlanner().plan(instruction, duration=duration)
    assert recipe.error is None, recipe.error
    assert same(steps_of(recipe), expected), steps_of(recipe)


REFUSALS = [
    ("export to /etc/passwd", D, "outside the output folder"),
    # the same requests as a recogniser writes them when spoken
    ("export to slash, etc slash, password", D, "never write outside the output folder"),
    ("save it as dot dot slash x dot mp3", D, "never write outside the output folder"),
    ("rm rm slash and remove the wind", D, "commands"),
    ("export as mp4A", D, "not a supported format"),
    ("save it as ../../x.mp3", D, "outside the output folder"),
    ("save to ~/.bashrc", D, "outside the output folder"),
    ("rm -rf / and remove the wind", D, "commands"),
    ("run `ls`", D, "commands"),
    ("execute sudo shutdown now", D, "commands"),
    ("make the vocals 500 dB louder", D, "60 dB"),
    ("boost everything by 100 dB", D, "60 dB"),
    ("remove the hum between 0:45 and 0:30", D, "reversed"),
    ("remove the wind after 3:00", 60.0, "past the end"),
    ("trim to 0:10-0:40", 30.0, "past the end"),
    ("fade out over 10 minutes", 60.0, "longer than the audio"),
    ("remove the hum in the last 10 seconds", None, "duration"),
    ("what's the capital of France?", D, "not an audio edit"),
    ("tell me a joke", D, "not an audio edit"),
    ("export as aac", D, "not a supported format"),
    ("delete my files", D, "only edit the audio"),
    ("cut the section from 0:30 to 0:40", D, "middle"),
    ("remove everything", D, "which sound"),
    ("", D, "empty"),
]


@pytest.mark.parametrize(
    ("instruction", "duration", "reason"), REFUSALS, ids=[r[0][:40] or "empty" for r in REFUSALS]
)
def test_refusal_has_no_steps_and_says_why(instruction, duration, reason):
    recipe = RulesPlanner().plan(instruction, duration=duration)
    assert recipe.steps == []
    assert recipe.error and reason in recipe.error


def test_times_past_the_end_depend_on_the_duration():
    planner = RulesPlanner()
    assert planner.plan("remove the hum after 1:30", duration=120).steps
    assert not planner.plan("remove the hum after 1:30", duration=80).steps
    # "the last 5 seconds" moves with the duration
    r30 = steps_of(planner.plan("remove the hum in the last 5 seconds", duration=30))
    r90 = steps_of(planner.plan("remove the hum in the last 5 seconds", duration=90))
    assert r30[0]["range"] == [[25.0, 30.0]] and r90[0]["range"] == [[85.0, 90.0]]


def test_preferences_change_the_plan():
    planner = RulesPlanner()
    gentle = PlanContext(preferences={"removal": "gentle"})
    assert steps_of(planner.plan("remove the hiss", context=gentle)) == [sep("hiss", "gain", -12.0)]
    assert steps_of(planner.plan("remove the hiss")) == [sep("hiss", "remove")]
    mp3 = PlanContext(preferences={"export_format": "mp3"})
    assert steps_of(planner.plan("export", context=mp3)) == [{"op": "export", "format": "mp3"}]
    # an explicit format beats the preference
    assert steps_of(planner.plan("export as flac", context=mp3)) == [{"op": "export", "format": "flac"}]


def test_stated_preferences_are_noted_not_applied():
    planner = RulesPlanner()
    recipe = planner.plan("always export mp3")
    assert recipe.steps == [] and recipe.error is None and "export_format" in recipe.reply
    assert extract_preferences("I prefer gentle noise removal") == {"removal": "gentle"}
    assert extract_preferences("from now on save everything as flac") == {"export_format": "flac"}
    assert extract_preferences("remove the wind") == {}


def test_last_recipe_is_repeated_or_retargeted():
    last = parse_recipe({"steps": [sep("vocals", "gain", 3.0)]})
    ctx = PlanContext(last_recipe=last)
    planner = RulesPlanner()
    assert steps_of(planner.plan("do the same for the guitar", context=ctx)) == [sep("guitar", "gain", 3.0)]
    assert steps_of(planner.plan("again", context=ctx)) == [sep("vocals", "gain", 3.0)]
    assert planner.plan("again").error  # nothing to repeat without a last recipe


def test_positions_become_box_prompts_only_for_video():
    planner = RulesPlanner()
    video = PlanContext(input_is_video=True)
    got = steps_of(planner.plan("the drummer in the middle, keep only him", context=video))
    assert got == [{**sep("drummer", "isolate"), "mask": {"box": [0.25, 0.0, 0.75, 1.0]}}]
    got = steps_of(planner.plan("remove the guy on the left", context=video))
    assert got[0]["mask"] == {"box": [0.0, 0.0, 0.5, 1.0]} and got[0]["target"] == "guy"
    assert "mask" not in steps_of(planner.plan("remove the guy on the left"))[0]


def test_recipes_are_validated_models_and_deterministic():
    planner = RulesPlanner()
    a = planner.plan("remove the wind, make the voice 3 dB louder and export mp3", duration=30)
    b = planner.plan("remove the wind, make the voice 3 dB louder and export mp3", duration=30)
    assert isinstance(a, Recipe) and a.to_json() == b.to_json()
    assert isinstance(planner, Planner) and planner.name == "rules"


def test_planning_is_instant():
    planner = RulesPlanner()
    instructions = [c[0] for c in CASES] + [r[0] for r in REFUSALS]
    start = time.perf_counter()
    for text in instructions * 3:
        planner.plan(text, duration=D)
    per_instruction = (time.perf_counter() - start) / (3 * len(instructions))
    assert per_instruction < 0.01  # 10 ms: 100 instructions well under a second


def test_number_words_and_time_expressions():
    assert words_to_numbers("make it three decibels louder") == "make it 3 decibels louder"
    assert words_to_numbers("forty five seconds") == "45 seconds"
    assert words_to_numbers("two point five") == "2.5"
    assert words_to_numbers("minus six") == "-6"
    text, refs = find_times("between 0:30 and 0:45 and after 1m30s and the last 10 seconds")
    found = sorted((r.kind, r.a, r.b) for r in refs)
    assert found == [("after", 90.0, 0.0), ("last", 10.0, 0.0), ("range", 30.0, 45.0)]
    assert text.count("§") == 3


def test_get_planner_defaults(monkeypatch):
    for var in ("SAMAUDIO_PLANNER", "SAMAUDIO_LLM_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    assert default_planner_name() == "rules"
    assert get_planner().name == "rules"
    monkeypatch.setenv("SAMAUDIO_LLM_BASE_URL", "http://localhost:9/v1")
    assert default_planner_name() == "openai"
    with pytest.raises(PlannerError, match="available"):
        get_planner("no-such-planner")


def test_cli_single_instruction(capsys):
    assert main(["plan", "remove the wind and export mp3", "--duration", "30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == [sep("wind", "remove"), {"op": "export", "format": "mp3"}]
    assert main(["plan", "cut the last 5 seconds", "--duration", "0:30"]) == 0
    assert "trim(start=0.0, end=25.0)" in capsys.readouterr().out


def test_cli_refusal_exits_zero(capsys):
    assert main(["plan", "export to /etc/passwd", "--json", "--planner", "rules"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == [] and "outside the output folder" in out["error"]


def test_cli_reads_one_instruction_a_line(monkeypatch, capsys):
    lines = ["remove the wind", "", "what's the capital of France?", "cut the last 5 seconds"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["plan", "-", "--duration", "60", "--planner", "rules"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 4  # one answer a line: output line N answers input line N
    assert out[0]["steps"] == [sep("wind", "remove")]
    assert out[1]["steps"] == [] and "empty" in out[1]["error"]  # the blank line is a refusal
    assert out[2]["steps"] == [] and out[2]["error"]
    assert out[3]["steps"] == [{"op": "trim", "start": 0.0, "end": 55.0}]


def test_a_region_of_a_video_is_a_prompt_on_its_own():
    from agent.planners.base import PlanContext
    from agent.planners.rules import plan

    video = PlanContext(input_is_video=True)
    recipe = plan("isolate the sound of the thing in the left half", duration=10, context=video)
    assert [s.model_dump(exclude_none=True) for s in recipe.steps] == [
        {"op": "separate", "action": "isolate", "mask": {"box": (0.0, 0.0, 0.5, 1.0)}}
    ]
    # Without a video there is no region to point at, and "half" is not "half the volume".
    audio_only = plan("isolate the sound of the thing in the left half", duration=10)
    assert audio_only.steps == [] and "say which sound to keep" in audio_only.error


def test_a_fingerprint_span_followed_by_a_verb_is_one_step():
    from agent.planners.rules import plan

    recipe = plan("the bird at 0:12-0:14, find it everywhere and remove it", duration=60)
    assert [s.model_dump(exclude_none=True) for s in recipe.steps] == [
        {"op": "separate", "target": "bird", "action": "remove", "spans": [(12.0, 14.0)]}
    ]


# Issue 14: the words around a sound, descriptions of where it is heard, pronouns, recogniser noise.
PHRASING = [
    # discourse and filler around the target
    ("you can hear a helicopter in the distance, remove it", [sep("helicopter", "remove")]),
    ("lower the overall reverb", [sep("reverb", "gain", -6.0)]),
    ("bring the piano forward", [sep("piano", "gain", 6.0)]),
    ("push the lead vocal forward a bit", [sep("lead vocal", "gain", 3.0)]),
    ("basically I just want the voice on its own", [sep("voice", "isolate")]),
    ("my recording has a lot of hiss, can you remove it", [sep("hiss", "remove")]),
    # where the sound is heard is a span prompt, whatever the preposition
    ("a horn is audible from 0:10 to 0:12, remove it", [sep("horn", "remove", spans=[[10, 12]])]),
    ("you can clearly hear the rain between 0:20 and 0:25, get rid of it", [sep("rain", "remove", spans=[[20, 25]])]),
    ("the fan is the only thing you hear from 0:00 to 0:02. remove it", [sep("fan", "remove", spans=[[0, 2]])]),
    ("use 0:30-0:32 as a reference for the hum and remove it", [sep("hum", "remove", spans=[[30, 32]])]),
    ("use this bit as a reference for the beeping: 0:44 to 0:46, take it out",
     [sep("beeping", "remove", spans=[[44, 46]])]),
    # ... but a plain time restricts the edit
    ("remove the hum from 0:30 to 0:32", [sep("hum", "remove", range=[[30, 32]])]),
    ("make the music louder but only between 0:30 and 1:00", [sep("music", "gain", 6.0, range=[[30, 60]])]),
    # pronouns point back to the sound named before them
    ("the drums are buried, bring them up", [sep("drums", "gain", 6.0)]),
    ("the hi-hat is harsh, turn it down 2 dB", [sep("hi-hat", "gain", -2.0)]),
    # a span prompt that names no sound is not a trim
    ("isolate the sound at 0:10 to 0:12", [{"op": "separate", "action": "isolate", "spans": [[10, 12]]}]),
    ("remove whatever that is at 0:20 to 0:21", [{"op": "separate", "action": "remove", "spans": [[20, 21]]}]),
    # recogniser noise: "dash", dropped units, a misheard format
    ("the dog at 0:03 dash 0:05, remove it", [sep("dog", "remove", spans=[[3, 5]])]),
    ("lower the voice between 40 dash 50 seconds", [sep("voice", "gain", -6.0, range=[[40, 50]])]),
    ("fade out 6", [{"op": "fade", "direction": "out", "seconds": 6.0}]),
    ("fade out, 6", [{"op": "fade", "direction": "out", "seconds": 6.0}]),
    # a transcript without the comma between the description and the command
    ("Horn is audible from 0:10 to 0:12 remove it", [sep("horn", "remove", spans=[[10, 12]])]),
    ("export as flack", [{"op": "export", "format": "flac"}]),
    ("save it as flaq", [{"op": "export", "format": "flac"}]),  # one format is close: respelt
    ("export as mp4", None),  # a real, unsupported format is refused, never respelt
    # round 2: where the sound is heard is not part of it
    ("there is a truck outside, get rid of it", [sep("truck", "remove")]),
    ("you can hear a lawnmower next door, remove it", [sep("lawnmower", "remove")]),
    ("cut the hum on the mic", [sep("hum", "remove")]),
    ("remove the hiss in the left channel", [sep("hiss", "remove")]),
    ("there's too much room tone in the dialogue", [sep("room tone", "gain", -6.0)]),
    # ... but a time phrase still is a time, and "passing by" is how the sound is named
    ("remove the wind in the first 10 seconds", [sep("wind", "remove", range=[[0, 10]])]),
    ("so you can hear trucks driving by, can you remove it", [sep("trucks driving by", "remove")]),
    # a description before " - " and the command after it; how the file was made is no sound
    ("the hum in the background - remove it", [sep("hum", "remove")]),
    ("the hum is audible from 0:05 to 0:07 - take it out", [sep("hum", "remove", spans=[[5, 7]])]),
    ("we filmed this outside and the wind is terrible", [sep("wind", "remove")]),
    # the wish around the sound, evaluative words, "I only want"
    ("what I'd like is for the music to be louder", [sep("music", "gain", 6.0)]),
    ("there's a bad buzz, remove it", [sep("buzz", "remove")]),
    ("I only want the piano", [sep("piano", "isolate")]),
    # a pronoun after a whole-mix complaint is one change of the whole mix, with the amount said
    ("the whole thing is too quiet, boost it 4 dB", [{"op": "gain", "db": 4.0}]),
    ("the overall mix is too loud, lower it a little", [{"op": "gain", "db": -3.0}]),
    # a transcript without the comma before a closing command on "it"
    ("you can hear a siren in the distance remove it", [sep("siren", "remove")]),
]  # fmt: skip


@pytest.mark.parametrize(("instruction", "expected"), PHRASING, ids=[c[0][:40] for c in PHRASING])
def test_real_phrasing(instruction, expected):
    recipe = RulesPlanner().plan(instruction, duration=D)
    if expected is None:
        assert recipe.steps == [] and "not a supported format" in recipe.error
        return
    assert recipe.error is None, recipe.error
    assert same(steps_of(recipe), expected), steps_of(recipe)


def test_that_sound_and_them_point_back_to_the_session():
    last = PlanContext(last_recipe=parse_recipe({"steps": [sep("horn", "gain", -6.0)]}))
    assert steps_of(RulesPlanner().plan("remove that sound as well", duration=D, context=last)) == [
        sep("horn", "remove")
    ]
    # with nothing named before, "that sound" is not the whole mix: it is refused, not guessed
    alone = RulesPlanner().plan("remove that sound as well", duration=D)
    assert alone.steps == [] and alone.error.startswith("say what to remove (for example")
    # "it" on a level change with no sound named is still the whole mix
    assert steps_of(RulesPlanner().plan("turn it up 3 dB", duration=D)) == [{"op": "gain", "db": 3.0}]


def test_a_channel_is_audio_not_a_region_of_the_video():
    video = PlanContext(input_is_video=True)
    assert steps_of(RulesPlanner().plan("remove the buzz in the left channel", duration=D, context=video)) == [
        sep("buzz", "remove")
    ]
    boxed = steps_of(RulesPlanner().plan("remove the guitarist on the left", duration=D, context=video))
    assert boxed[0]["mask"] == {"box": [0.0, 0.0, 0.5, 1.0]}
