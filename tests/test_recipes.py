"""Saved recipes (agent.recipes): "save this as a recipe NAME" in a chat writes the session's
effective steps; ``samaudio recipe list/show``; ``samaudio apply NAME``."""

from __future__ import annotations

import io
import json
import sys

import numpy as np
import pytest
from batch_helpers import SR, tone

from agent.cli import main
from agent.recipes import recipes_dir, save_request, session_recipe
from samaudio_core.audio import load_audio, save_audio
from samaudio_core.mixing import loudness
from samaudio_core.workspace import Workspace
from tools.recipe import parse_recipe
from tools.runner import run_recipe


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAMAUDIO_RECIPES", raising=False)
    for var in ("SAMAUDIO_LLM_BASE_URL", "OPENAI_API_KEY", "SAMAUDIO_PLANNER", "SAMAUDIO_JUDGE_THRESHOLD"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize(
    ("instruction", "name"),
    [
        ("save this as a recipe podcast", "podcast"),
        ("Save it as recipe called clean-voice.", "clean-voice"),
        ("please save these steps as a recipe named 'v1.2'", "v1.2"),
        ("save the recipe as x", "x"),
        ("save this as a recipe", ""),
        ("save this as a recipe two words", "two words"),  # refused by name, not read as an edit
        ("save this as mp3", None),  # an export, not a recipe
        ("save the drums", None),
        ("remove the recipe noise", None),
    ],
)
def test_save_request(instruction, name):
    assert save_request(instruction) == name


def test_effective_steps_resolve_undo_and_reset(tmp_path):
    path = save_audio(tmp_path / "in.wav", tone(0, 2.0), sample_rate=SR)
    ws = Workspace.create(tmp_path / "ws", path)
    steps = [
        {"op": "gain", "db": -6},
        {"op": "fade", "direction": "in", "seconds": 1},
        {"op": "undo"},
        {"op": "normalize", "lufs": -20},
        {"op": "export", "format": "mp3"},
    ]
    assert run_recipe(parse_recipe(steps), ws, engine="dummy", judge=False).ok
    assert json.loads(session_recipe(ws).to_json())["steps"] == [
        {"op": "gain", "db": -6.0},
        {"op": "normalize", "lufs": -20.0},
        {"op": "export", "format": "mp3"},
    ]
    assert run_recipe(parse_recipe([{"op": "reset"}, {"op": "trim", "start": 0.5}]), ws, judge=False).ok
    assert json.loads(session_recipe(ws).to_json())["steps"] == [
        {"op": "trim", "start": 0.5},
        {"op": "export", "format": "mp3"},  # the session's last export format is kept
    ]


def test_chat_saves_a_recipe_that_list_show_and_apply_use(tmp_path, monkeypatch, capsys):
    session_input = save_audio(tmp_path / "talk.wav", tone(1, 3.0), sample_rate=SR)
    turns = [
        "make it 6 dB quieter",
        "fade in 1 second",
        "undo",
        "normalize to -20 LUFS",
        "save this as a recipe bad/name",
        "save this as a recipe",
        "save this as a recipe podcast",
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(turns) + "\n"))
    assert main(["chat", str(session_input), "--planner", "rules", "--engine", "dummy"]) == 0
    out = capsys.readouterr().out
    assert "Nothing was saved: invalid recipe name 'bad/name'" in out
    assert "Give the recipe a name" in out
    saved = recipes_dir() / "podcast.json"
    assert f"Saved recipe 'podcast' (3 step(s): gain(db=-6.0); normalize(lufs=-20.0); export(format=wav)) in {saved}" in out
    expected = {
        "version": 1,
        "steps": [{"op": "gain", "db": -6.0}, {"op": "normalize", "lufs": -20.0}, {"op": "export", "format": "wav"}],
    }
    assert json.loads(saved.read_text()) == expected

    assert main(["recipe", "show", "podcast"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    assert main(["recipe", "list"]) == 0
    assert capsys.readouterr().out == "podcast: 3 step(s): gain(db=-6.0); normalize(lufs=-20.0); export(format=wav)\n"

    folder = tmp_path / "batch"
    folder.mkdir()
    for i in (2, 3):
        save_audio(folder / f"ep{i}.flac", 0.5 * tone(i, 3.0), sample_rate=SR)
    assert main(["apply", "podcast", str(folder), "--out-dir", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 0
    assert "2 of 2 file(s) done, 0 failed" in capsys.readouterr().err
    for i in (2, 3):
        y = load_audio(tmp_path / "o" / f"ep{i}.wav")
        assert loudness(y.samples, y.sample_rate) == pytest.approx(-20, abs=0.5)

    assert main(["apply", "nope", str(folder), "--out-dir", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == "error: no recipe file or saved recipe named 'nope' (saved recipes: podcast)"


def test_nothing_to_save_and_the_recipes_folder_override(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SAMAUDIO_RECIPES", str(tmp_path / "shared-recipes"))
    session_input = save_audio(tmp_path / "a.wav", np.zeros((1, SR), np.float32) + 0.1, sample_rate=SR)
    monkeypatch.setattr(sys, "stdin", io.StringIO("save this as a recipe empty\nmake it quieter\nsave it as recipe q\n"))
    assert main(["chat", str(session_input), "--planner", "rules", "--engine", "dummy"]) == 0
    out = capsys.readouterr().out
    assert "Nothing to save: this session has no edits" in out
    assert (tmp_path / "shared-recipes" / "q.json").is_file() and not (tmp_path / "shared-recipes" / "empty.json").exists()
    assert main(["plan", "save this as a recipe q"]) == 0  # the rules planner knows the intent
    assert "Saving a recipe is about a session's edits" in capsys.readouterr().out
