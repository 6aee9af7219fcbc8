"""The Ray executor in local mode: a recipe saved from a chat, run over a folder on Ray actors,
gives the sequential run's outputs. Ray starts once for the session (``ray_local`` in
conftest.py): it costs seconds and hundreds of MB, so the Ray tests are few."""

from __future__ import annotations

import io
import os
import sys

import pytest
import ray
from batch_helpers import make_tree, outputs, records

from agent.cli import main


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAMAUDIO_RECIPES", raising=False)
    for var in ("SAMAUDIO_LLM_BASE_URL", "OPENAI_API_KEY", "SAMAUDIO_PLANNER", "SAMAUDIO_JUDGE_THRESHOLD"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "home"


def test_recipe_saved_from_chat_runs_on_ray_like_sequentially(ray_local, home, tmp_path, monkeypatch, capsys):
    folder = make_tree(tmp_path, n=4, corrupt=True)
    session_input = folder / "f00.wav"
    turns = "make it 6 dB quieter\nfade in 0.5 seconds\nsave this as a recipe quiet\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(turns))
    assert main(["chat", str(session_input), "--planner", "rules", "--engine", "dummy"]) == 0
    assert "Saved recipe 'quiet' (3 step(s)" in capsys.readouterr().out

    common = ["--engine", "dummy", "--no-progress"]
    assert main(["apply", "quiet", str(folder), "--out-dir", str(tmp_path / "seq"), "--workers", "1", *common]) == 1
    assert main(["apply", "quiet", str(folder), "--out-dir", str(tmp_path / "ray"), "--ray", "--workers", "2", *common]) == 1
    err = capsys.readouterr().err
    assert "4 of 5 file(s) done, 1 failed" in err and "on ray (1 node(s), 2 CPU(s)) x2" in err
    a, b = outputs(tmp_path / "seq"), outputs(tmp_path / "ray")
    assert sorted(b) == ["f00.wav", "f01.wav", "f03.wav", "sub/f02.wav"] and a == b  # bit-identical
    recs = records(tmp_path / "ray")
    assert sorted(r["status"] for r in recs) == ["done"] * 4 + ["failed"]
    bad = next(r for r in recs if r["status"] == "failed")
    assert bad["attempts"] == 2 and "not a readable audio file" in bad["error"]
    assert os.getpid() not in {r["pid"] for r in recs}  # the actors did the work
    assert ray.is_initialized()  # a Ray the executor did not start is left running
    assert not list((tmp_path / "ray").glob(".samaudio-shared-check-*"))  # its token is cleaned up
