"""The LangChain tools over a workspace: typed schemas, physical effects, and mistakes as text."""

from __future__ import annotations

import re

import numpy as np
import pytest
import soundfile as sf

from samaudio_core.audio import load_audio
from samaudio_core.workspace import Workspace
from tools import get_tools
from tools.lc_tools import ToolContext, build_tools, call_tool, check_file_access
from tools.recipe import OPS, parse_step

SR = 16_000


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))


@pytest.fixture
def mix(tmp_path):
    """3 s: a 220 Hz tone throughout, noise everywhere, a loud 1 kHz burst at 1.0-1.5 s."""
    rng = np.random.default_rng(0)
    t = np.arange(3 * SR) / SR
    x = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.02 * rng.standard_normal(t.size)
    burst = (t >= 1.0) & (t < 1.5)
    x[burst] += 0.5 * np.sin(2 * np.pi * 1000 * t[burst])
    path = tmp_path / "mix.wav"
    sf.write(path, x.astype(np.float32), SR)
    return path


@pytest.fixture
def ctx(tmp_path, mix):
    ws = Workspace.create(tmp_path / "sessions", mix)
    return ToolContext(ws=ws, engine="dummy", judge=False, allowed_files=[mix])


def _tools(ctx):
    return {t.name: t for t in build_tools(ctx)}


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


def test_every_op_is_a_typed_tool(ctx):
    tools = get_tools(ctx.ws, engine="dummy")
    names = {t.name for t in tools}
    assert set(OPS) | {"find_spans", "describe"} == names
    schema = {t.name: t.args_schema.model_json_schema() for t in tools}
    assert schema["separate"]["properties"]["action"]["enum"] == ["remove", "isolate", "gain"]
    assert "db" in schema["gain"]["required"]
    assert all(t.description for t in tools)


def test_gain_tool_changes_level_and_makes_a_version(ctx, mix):
    tools = _tools(ctx)
    before = load_audio(mix).samples
    obs = tools["gain"].invoke({"db": -6.0})
    assert "version 1" in obs
    after = ctx.ws.current_audio().samples
    assert after.shape == before.shape
    assert _rms(after) / _rms(before) == pytest.approx(10 ** (-6 / 20), rel=0.01)
    assert "undid" in tools["undo"].invoke({})
    assert ctx.ws.current.id == 0


def test_separate_tool_uses_spans_and_reports(ctx):
    tools = _tools(ctx)
    obs = tools["separate"].invoke({"target": "beep", "action": "isolate", "spans": [[1.0, 1.5]]})
    assert obs.startswith("separate(") and "version 1" in obs
    y = ctx.ws.current_audio().samples[0]
    inside, outside = y[int(1.05 * SR) : int(1.45 * SR)], np.r_[y[: int(0.9 * SR)], y[int(1.6 * SR) :]]
    assert _rms(inside) > 100 * max(_rms(outside), 1e-9)  # the dummy keeps exactly the span


@pytest.mark.parametrize(
    "name,args,expect",
    [
        ("separate", {"target": "wind", "action": "delete"}, "'remove', 'isolate' or 'gain'"),
        ("gain", {"db": "loud"}, "db"),
        ("gain", {"db": 500}, "60"),
        ("fade", {"direction": "sideways", "seconds": 2}, "'in' or 'out'"),
        ("trim", {"start": 1, "end": 99}, "past the end"),
        ("separate", {"target": "wind", "range": [[2, 1]]}, "reversed"),
        ("export", {"format": "aiff"}, "'wav', 'flac', 'mp3' or 'ogg'"),
    ],
)
def test_bad_arguments_become_observations(ctx, name, args, expect):
    tools = _tools(ctx)
    obs = call_tool(tools, name, args)
    assert obs.startswith("error:") and expect in obs
    assert ctx.ws.current.id == 0 and len(ctx.ws.versions) == 1  # nothing changed


def test_unknown_tool_and_non_object_args(ctx):
    tools = _tools(ctx)
    obs = call_tool(tools, "rm_rf", {})
    assert "no tool 'rm_rf'" in obs and "separate" in obs and "undo" in obs
    assert "JSON object" in call_tool(tools, "gain", "[1, 2]")


def test_export_stays_inside_the_output_folder(ctx, tmp_path):
    tools = _tools(ctx)
    obs = call_tool(tools, "export", {"format": "wav", "path": "../../escaped.wav"})
    assert obs.startswith("error:") and "outside the output folder" in obs
    assert not list(tmp_path.rglob("escaped*"))
    obs = call_tool(tools, "export", {"format": "wav", "path": "/tmp/abs-escape.wav"})
    assert obs.startswith("error:")
    obs = call_tool(tools, "export", {"path": "keep.wav"})
    assert "exported" in obs and (ctx.ws.out_dir / "keep.wav").is_file()


def test_export_uses_the_preferred_format(ctx):
    ctx.export_format = "flac"
    obs = _tools(ctx)["export"].invoke({})
    assert obs.rstrip().endswith(".flac")
    assert sf.info(obs.split("exported to ")[1].strip()).format == "FLAC"


def test_mask_files_are_limited_to_inputs_and_session(ctx, tmp_path):
    other = tmp_path / "secret.mp4"
    other.write_bytes(b"not yours")
    step = parse_step(
        {"op": "separate", "target": "drummer", "mask": {"video": str(other), "box": [0, 0, 0.5, 0.5]}}
    )
    with pytest.raises(Exception, match="only the input files"):
        check_file_access(step, ctx)
    ok = parse_step(
        {"op": "separate", "target": "x", "mask": {"video": str(ctx.allowed_files[0]), "box": [0, 0, 1, 1]}}
    )
    check_file_access(ok, ctx)  # the input itself is fine


def test_find_spans_answers_with_times(ctx):
    obs = _tools(ctx)["find_spans"].invoke({"target": "beep"})
    found = [(float(a), float(b)) for a, b in re.findall(r"(\d+\.\d+)-(\d+\.\d+) s", obs)]
    assert found, obs
    # The burst lies at 1.0-1.5 s: the longest interval found must cover most of it.
    a, b = max(found, key=lambda s: s[1] - s[0])
    assert min(b, 1.5) - max(a, 1.0) > 0.4


def test_describe_reports_duration_and_loudness(ctx, mix):
    from samaudio_core import mixing

    obs = _tools(ctx)["describe"].invoke({})
    assert obs.startswith("3.00 s, 1 channel(s), 16000 Hz")
    x = load_audio(mix)
    lufs = mixing.loudness(x.samples, x.sample_rate)
    assert f"{round(lufs, 1)} LUFS" in obs


def test_tool_schemas_are_derived_from_the_step_models(ctx, monkeypatch):
    from tools import lc_tools, recipe

    schema = {t.name: t.args_schema.model_json_schema() for t in build_tools(ctx)}
    for op, model in [("normalize", recipe.NormalizeStep), ("trim", recipe.TrimStep)]:
        for name, info in model.model_fields.items():
            if name == "op":
                continue
            prop = schema[op]["properties"][name]
            assert prop.get("default") == info.default and prop["description"] == info.description
    assert (
        schema["normalize"]["properties"]["lufs"]["default"]
        == recipe.NormalizeStep.model_fields["lufs"].default
    )
    assert schema["gain"]["properties"]["db"]["maximum"] == recipe.MAX_DB  # bounds come along
    assert "op" not in schema["separate"]["properties"] and {"box", "points"} <= set(
        schema["separate"]["properties"]
    )
    # A default changed in the step model changes the derived tool schema.
    changed = recipe.NormalizeStep.model_fields["lufs"]
    monkeypatch.setattr(changed, "default", -16.0)
    assert (
        lc_tools.args_schema(recipe.NormalizeStep).model_json_schema()["properties"]["lufs"]["default"]
        == -16.0
    )


def test_tool_context_records_what_ran(ctx):
    tools = _tools(ctx)
    tools["gain"].invoke({"db": -3.0})
    tools["separate"].invoke({"target": "beep", "spans": [[1.0, 1.5]]})
    obs = tools["export"].invoke({"format": "wav"})
    assert [r.op for r in ctx.reports] == ["gain", "separate", "export"]
    assert [r.index for r in ctx.reports] == [1, 2, 3]
    assert ctx.outputs == [obs.split("exported to ")[1].strip()] and ctx.attempts == 1
    assert ctx.last_separation is not None  # what refinement would start from
    ctx.reports.clear()  # a copy: only record() and replace() change what ran
    assert len(ctx.reports) == 3
    gain = ctx.reports[0]
    new = ctx.replace(gain, type(gain)(0, "gain", "gain(db=-4)"))
    assert ctx.reports[0] is new and new.index == 1
    ctx.add_output("copy.wav", replacing=ctx.outputs[0])
    assert ctx.outputs == ["copy.wav"]
