"""Fuzzing with hypothesis: any text to the rules planner, any JSON/YAML to the recipe loader,
random bytes to the audio loader, and random valid recipes on random short audio.

Example counts are small so the module runs in seconds, and derandomized so CI sees the same
examples every run; ``SAMAUDIO_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py`` explores far
more (and at random) when hunting.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.planners.rules import RulesPlanner
from samaudio_core.audio import Audio, load_audio
from samaudio_core.errors import AudioLoadError, SamaudioError
from samaudio_core.workspace import Workspace
from tools.recipe import OPS, Recipe, RecipeError, load_recipe, parse_recipe
from tools.runner import run_recipe

_DEEP = int(os.environ.get("SAMAUDIO_FUZZ_EXAMPLES", "0"))


def fuzz(n: int):
    return settings(
        max_examples=_DEEP or n,
        deadline=None,
        derandomize=not _DEEP,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# ----- the planner: any Unicode -> a recipe or a refusal ------------------------------------
VOCAB = (
    "remove isolate keep only the wind dog barking speech vocals guitar hum music noise "
    "louder quieter by 3 -6 +12 100 dB db gain fade in out over seconds second s trim cut "
    "from to until between and then , . 0:30 1:10 1m10s 5 0 -1 2.5 last first start end "
    "normalize -14 LUFS export as mp3 wav flac ogg undo reset again a bit more less everywhere "
    "at - when does it where is bark? always prefer gentle please also but not ../etc/passwd "
    "rm -rf / `ls` $(x) 🎸 ümlaut 中文 \u200b \x00 \n"
).split(" ")
instructions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(VOCAB), max_size=25).map(" ".join),
)


@fuzz(400)
@given(text=instructions, duration=st.one_of(st.none(), st.floats(0.001, 7200.0)))
def test_planner_gives_a_recipe_or_a_refusal(text, duration):
    recipe = RulesPlanner().plan(text, duration=duration)
    assert isinstance(recipe, Recipe)
    if recipe.steps:
        assert recipe.error is None
        Recipe.model_validate(json.loads(recipe.to_json()))  # round-trips as a valid recipe
        if duration is not None:
            recipe.check_against(duration)  # every time lies inside the input
    else:
        assert (recipe.error or recipe.reply or "").strip(), "no steps and no reason"


# ----- the recipe loader: any JSON/YAML -> a valid recipe or an error naming the step --------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["target", "action", "db", "range", "spans", "absent", "mask", "candidates", "direction",
          "seconds", "start", "end", "lufs", "format", "path", "box", "video"]  # fmt: skip
field_values = st.one_of(
    json_values,
    st.sampled_from(["remove", "isolate", "gain", "in", "out", "mp3", "wav", "wind", ""]),
    st.lists(st.tuples(st.floats(-5, 50), st.floats(-5, 50)), max_size=3),
    st.floats(-100, 100),
)
steps = st.builds(
    lambda op, fields: {**({"op": op} if op is not None else {}), **fields},
    st.one_of(st.none(), st.sampled_from(OPS), st.text(max_size=6)),
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), field_values, max_size=4),
)
recipes = st.one_of(
    json_values,
    st.lists(steps, max_size=5),
    st.builds(lambda s, v: {"version": v, "steps": s}, st.lists(steps, max_size=5), st.sampled_from([1, 1, 2, "1"])),
)


@fuzz(400)
@given(data=recipes)
def test_recipe_loader_names_the_step(data):
    try:
        recipe = parse_recipe(data)
    except RecipeError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message
        step_list = data if isinstance(data, list) else (data.get("steps") if isinstance(data, dict) else None)
        if isinstance(step_list, list) and all(isinstance(s, dict) for s in step_list) and (
            isinstance(data, list) or (set(data) <= {"version", "steps"} and data.get("version") == 1)
        ):
            # Only the steps can be wrong here: every part of the message names one, by number.
            for part in message.split("; "):
                m = re.match(r"step (\d+)[ :]", part)
                assert m, part
                assert 1 <= int(m.group(1)) <= len(step_list)
        return
    assert isinstance(recipe, Recipe)


@fuzz(150)
@given(text=st.one_of(st.text(max_size=400), recipes.map(lambda d: yaml.safe_dump(d, allow_unicode=True))),
       ext=st.sampled_from([".yaml", ".yml", ".json"]))  # fmt: skip
def test_recipe_files_of_any_text(text, ext):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"recipe{ext}"
        path.write_text(text, encoding="utf-8")
        try:
            assert isinstance(load_recipe(path), Recipe)
        except RecipeError as exc:
            assert str(exc).startswith(str(path)) and "\n" not in str(exc)


# ----- the audio loader: random bytes -> a clear error (or, rarely, decodable audio) ---------
HEADERS = [b"", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"fLaC", b"OggS", b"ID3\x03\x00", b"\xff\xfb\x90\x00"]


@fuzz(120)
@given(head=st.sampled_from(HEADERS), body=st.binary(max_size=3000),
       ext=st.sampled_from([".wav", ".flac", ".ogg", ".mp3", ".m4a", ".mp4", ".bin"]))  # fmt: skip
def test_audio_loader_on_random_bytes(head, body, ext):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"noise{ext}"
        path.write_bytes(head + body)
        try:
            with pytest.warns(None) if False else _quiet():
                audio = load_audio(path)
        except AudioLoadError as exc:
            message = str(exc)
            assert message.startswith(str(path)) and "\n" not in message
            return
        # FFmpeg finds frames in some noise (mp3 sync words): then it is audio like any other.
        assert audio.num_samples > 0 and audio.sample_rate > 0
        assert np.all(np.isfinite(audio.samples))


class _quiet:
    """Record (and drop) warnings: a damaged-file warning is a fine outcome for noise."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


# ----- any valid recipe on random short audio -> right shapes, finite samples ----------------
def _step(draw, duration: float) -> dict:
    op = draw(st.sampled_from(["separate", "gain", "fade", "trim", "normalize", "undo", "reset", "export"]))
    t = st.floats(0.0, duration * 0.9)
    if op == "separate":
        step = {"op": op, "target": draw(st.sampled_from(["wind", "speech", "dog barking"])),
                "action": draw(st.sampled_from(["remove", "isolate", "gain"]))}  # fmt: skip
        if step["action"] == "gain":
            step["db"] = draw(st.floats(-60, 60))
        if draw(st.booleans()):
            a = draw(t)
            step["spans"] = [[a, min(duration, a + draw(st.floats(min(0.001, duration), duration)))]]
        return step
    if op == "gain":
        return {"op": op, "db": draw(st.floats(-60, 60))}
    if op == "fade":
        return {"op": op, "direction": draw(st.sampled_from(["in", "out"])), "seconds": draw(st.floats(min(0.001, duration), duration))}
    if op == "trim":
        a = draw(t)
        return {"op": op, "start": a, "end": min(duration, a + draw(st.floats(min(0.001, duration), duration)))}
    if op == "normalize":
        return {"op": op, "lufs": draw(st.floats(-70, 0))}
    if op == "export":
        return {"op": op, "format": draw(st.sampled_from(["wav", "flac"]))}
    return {"op": op}


@st.composite
def audio_and_recipe(draw):
    sr = draw(st.sampled_from([8000, 16000, 44100]))
    n = draw(st.integers(1, sr // 2))
    channels = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["noise", "silence", "loud"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = {"noise": 0.1, "silence": 0.0, "loud": 1.5}[kind] * rng.standard_normal((channels, n))
    steps = [_step(draw, n / sr) for _ in range(draw(st.integers(1, 4)))]
    return Audio(x.astype(np.float32), sr), steps


@fuzz(40)
@given(case=audio_and_recipe())
def test_any_valid_recipe_keeps_shapes_and_finite_samples(case, tmp_path_factory):
    audio, step_dicts = case
    try:
        recipe = parse_recipe(step_dicts)
    except RecipeError:
        return  # e.g. a trim shorter than the validator's resolution: not a valid recipe
    tmp = tmp_path_factory.mktemp("fuzz")
    from samaudio_core.audio import save_audio

    src = save_audio(tmp / "in.wav", audio, clip="none")
    with Workspace.create(tmp / "ws", src) as ws:
        try:
            report = run_recipe(recipe, ws, engine="dummy", judge=False)
        except SamaudioError:
            return  # refused as a whole (a time past the end): nothing ran
        for version in ws.versions:
            out = load_audio(ws.path_of(version))
            assert out.channels == audio.channels and out.sample_rate == audio.sample_rate
            assert out.num_samples >= 1 and np.all(np.isfinite(out.samples))
            if not any(s.get("op") == "trim" for s in step_dicts):
                assert out.num_samples == audio.num_samples
        for path in report.exports:
            out = load_audio(path)
            assert out.channels == audio.channels and np.all(np.isfinite(out.samples))
        for r in report.steps:
            assert r.ok or (r.message.strip() and "\n" not in r.message)
