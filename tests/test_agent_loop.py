"""The agent loop: recipe mode with the rules planner, tool mode with a scripted fake chat model."""

from __future__ import annotations

import io
import re
import sys
import time

import numpy as np
import pytest
import soundfile as sf
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from pydantic import Field

from agent import Agent
from agent.cli import main
from agent.errors import PlannerUnavailableError
from samaudio_core.audio import load_audio
from samaudio_core.workspace import Workspace
from tools.recipe import parse_recipe

SR = 16_000


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    for var in ("SAMAUDIO_LLM_BASE_URL", "OPENAI_API_KEY", "SAMAUDIO_PLANNER", "SAMAUDIO_JUDGE_THRESHOLD"):
        monkeypatch.delenv(var, raising=False)


def _write_mix(path, seconds=3.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    x = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.02 * rng.standard_normal(t.size)
    sf.write(path, x.astype(np.float32), SR)
    return path


@pytest.fixture
def mix(tmp_path):
    return _write_mix(tmp_path / "mix.wav")


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


class ScriptedChat(GenericFakeChatModel):
    """A fake chat model that answers from a script and records what it was shown."""

    seen: list = Field(default_factory=list)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.seen.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def _call(name, args, i):
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"c{i}"}])


class FixedPlanner:
    name = "fixed"

    def __init__(self, recipe):
        self.recipe = parse_recipe(recipe)

    def plan(self, instruction, *, duration=None, context=None):
        return self.recipe


# ----- recipe mode ------------------------------------------------------------------------------
def test_rules_plan_runs_and_exports(mix, tmp_path):
    out = tmp_path / "out" / "quiet.wav"
    result = Agent(planner="rules", engine="dummy", memory=False).run(mix, "make it 6 dB quieter", output=out)
    assert result.ok and result.planner == "rules"
    assert result.outputs == [str(out)] and out.is_file()
    ratio = _rms(load_audio(out).samples) / _rms(load_audio(mix).samples)
    assert ratio == pytest.approx(0.5, rel=0.02)
    assert str(out) in result.reply


def test_refusal_changes_nothing(mix):
    agent = Agent(planner="rules", engine="dummy", memory=False)
    result = agent.run(mix, "run rm -rf / on the server")
    assert result.refused and not result.ok and not result.steps and not result.outputs
    assert result.reply
    ws = Workspace.open(_session(result))
    assert len(ws.versions) == 1 and not list(ws.out_dir.iterdir())


def _session(result):
    from agent.memory import samaudio_home

    return samaudio_home() / "sessions" / result.session


def test_when_question_is_answered_with_times(tmp_path):
    t = np.arange(3 * SR) / SR
    x = 0.01 * np.random.default_rng(1).standard_normal(t.size)
    burst = (t >= 1.0) & (t < 1.5)
    x[burst] += 0.5 * np.sin(2 * np.pi * 1000 * t[burst])
    path = tmp_path / "beep.wav"
    sf.write(path, x.astype(np.float32), SR)
    result = Agent(planner="rules", engine="dummy", memory=False).run(path, "when does the beep happen?")
    assert not result.refused and not result.outputs
    found = [(float(a), float(b)) for a, b in re.findall(r"(\d+\.\d+)-(\d+\.\d+) s", result.reply)]
    assert found and any(min(b, 1.5) - max(a, 1.0) > 0.4 for a, b in found), result.reply


def test_time_past_the_end_is_refused(mix):
    planner = FixedPlanner({"steps": [{"op": "trim", "start": 1, "end": 50}]})
    result = Agent(planner=planner, engine="dummy", memory=False).run(mix, "trim to 0:01-0:50")
    assert result.refused and "past the end" in result.reply and not result.outputs


def test_judge_failure_refines_then_is_honest(mix):
    # A pass mark no score can reach: the loop must refine, keep the best, and say it failed.
    planner = FixedPlanner({"steps": [{"op": "separate", "target": "wind", "action": "remove"}]})
    agent = Agent(planner=planner, engine="dummy", memory=False, threshold=5.01)
    result = agent.run(mix, "remove the wind")
    assert result.judge_passed is False and not result.ok
    sep = [s for s in result.steps if s.op == "separate"]
    assert len(sep) == 1 and sep[0].scores and set(sep[0].scores) >= {"overall", "recall", "precision"}
    assert "below the pass mark 5.0" in result.reply
    assert "Mark a span where the wind is clearly audible" in result.reply
    assert result.outputs and "Output:" in result.reply  # the best attempt is still delivered
    # The first attempt was handed to the refine ladder as its first rung, not run again.
    rungs = sep[0].info["attempts"]
    assert rungs[0]["reused"] is True and result.attempts == len(rungs) >= 2


def test_passing_separation_is_reported_with_scores(mix):
    planner = FixedPlanner(
        {"steps": [{"op": "separate", "target": "tone", "action": "isolate", "spans": [[0.5, 2]]}]}
    )
    result = Agent(planner=planner, engine="dummy", memory=False, threshold=1.0).run(mix, "keep the tone")
    assert result.ok and result.judge_passed and result.attempts == 1
    assert "judge overall" in result.reply and "passes" in result.reply


# ----- tool mode ----------------------------------------------------------------------------------
def test_tool_calling_loop_recovers_from_malformed_calls(mix):
    script = [
        _call("separate", {"target": "wind", "action": "delete"}, 1),  # invalid choice
        _call("explode", {}, 2),  # unknown tool
        AIMessage(
            "", invalid_tool_calls=[{"name": "gain", "args": "{db: loud", "id": "c3", "error": "bad JSON"}]
        ),
        _call("gain", {"db": 500}, 4),  # out of range
        _call("gain", {"db": -6}, 5),  # finally right
        AIMessage("Made it 6 dB quieter."),
    ]
    model = ScriptedChat(messages=iter(script))
    result = Agent(planner=model, engine="dummy", memory=False).run(mix, "make it quieter")
    observations = [m.content for m in model.seen[-1] if isinstance(m, ToolMessage)]
    assert len(observations) == 5
    assert "'remove', 'isolate' or 'gain'" in observations[0]
    assert "no tool 'explode'" in observations[1] and "separate" in observations[1]
    assert "could not be read" in observations[2]
    assert observations[3].startswith("error:") and "60" in observations[3]
    assert "version 1" in observations[4]
    assert result.ok and result.recipe == {"version": 1, "steps": [{"op": "gain", "db": -6}]}
    assert result.reply.startswith("Made it 6 dB quieter.") and result.outputs
    ratio = _rms(load_audio(result.outputs[0]).samples) / _rms(load_audio(mix).samples)
    assert ratio == pytest.approx(0.5, rel=0.02)


def test_tool_mode_feeds_judge_failure_back(mix):
    script = [
        _call("separate", {"target": "wind", "action": "remove"}, 1),
        _call("undo", {}, 2),
        AIMessage("The wind could not be separated cleanly, so I undid it."),
    ]
    model = ScriptedChat(messages=iter(script))
    result = Agent(planner=model, engine="dummy", memory=False, threshold=5.01).run(mix, "remove the wind")
    first_obs = [m.content for m in model.seen[1] if isinstance(m, ToolMessage)][0]
    assert "below the pass mark" in first_obs and "candidates=4" in first_obs
    assert [s.op for s in result.steps][:2] == ["separate", "undo"]


def test_tool_mode_stops_at_the_step_limit(mix):
    script = [_call("gain", {"db": -1}, i) for i in range(10)]
    model = ScriptedChat(messages=iter(script))
    result = Agent(planner=model, engine="dummy", memory=False, max_steps=3).run(mix, "quieter and quieter")
    assert len([s for s in result.steps if s.op == "gain"]) == 3
    assert "stopped after 3 tool calls" in result.reply
    assert result.limit_reached and not result.ok  # the last attempt is kept, flagged failed


# ----- memory and preferences ---------------------------------------------------------------------
def test_stated_format_preference_is_used_by_later_exports(mix):
    agent = Agent(planner="rules", engine="dummy")
    noted = agent.run(mix, "from now on I prefer flac files")
    assert "Noted" in noted.reply
    result = Agent(planner="rules", engine="dummy").run(mix, "make it 3 dB quieter")
    assert result.outputs and result.outputs[-1].endswith(".flac")
    assert sf.info(result.outputs[-1]).format == "FLAC"


# ----- LLM planners -------------------------------------------------------------------------------
def test_openai_planner_repairs_then_validates():
    from agent.planners.openai_planner import OpenAIPlanner

    answers = iter(
        [
            AIMessage("Sure! here you go: {not json"),
            AIMessage('{"version": 1, "steps": [{"op": "gain", "db": 900}]}'),
            AIMessage('```json\n{"version": 1, "steps": [{"op": "gain", "db": -3}]}\n```'),
        ]
    )
    llm = ScriptedChat(messages=answers)
    recipe = OpenAIPlanner(llm=llm, retries=2).plan("a bit quieter", duration=10)
    assert recipe.to_json() == '{"version":1,"steps":[{"op":"gain","db":-3.0}]}'
    repair = llm.seen[-1][-1].content
    assert "not a valid recipe" in repair and "60" in repair  # the schema error went back to the model


def test_openai_planner_falls_back_to_rules():
    from agent.planners.openai_planner import OpenAIPlanner

    llm = ScriptedChat(messages=iter([AIMessage("no idea")] * 3))
    recipe = OpenAIPlanner(llm=llm, retries=1).plan("remove the wind", duration=10)
    assert [s.op for s in recipe.steps] == ["separate"] and recipe.steps[0].target == "wind"
    assert "rules planner" in recipe.reply


def test_openai_planner_unreachable_is_quick_and_clear():
    from agent.planners.openai_planner import OpenAIPlanner

    planner = OpenAIPlanner(base_url="http://127.0.0.1:9/v1", model="x", timeout=3)
    t0 = time.perf_counter()
    with pytest.raises(PlannerUnavailableError, match="cannot be reached"):
        planner.plan("remove the wind", duration=10)
    assert time.perf_counter() - t0 < 8


@pytest.mark.parametrize("tools", [True, False])
def test_agent_falls_back_to_rules_when_endpoint_is_down(mix, tools):
    from agent.planners.openai_planner import OpenAIPlanner

    planner = OpenAIPlanner(base_url="http://127.0.0.1:9/v1", model="x", timeout=3, tools=tools)
    result = Agent(planner=planner, engine="dummy", memory=False).run(mix, "make it 6 dB quieter")
    assert result.ok and "used the rules planner instead" in result.reply


def test_llama_cpp_missing_is_a_clear_error():
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("llama-cpp-python is installed")
    from agent.planners.base import get_planner

    with pytest.raises(Exception, match="pip install 'samaudio\\[llama-cpp\\]'"):
        get_planner("llama-cpp")


def test_prompts_render_strictly():
    from jinja2 import UndefinedError

    from prompts import few_shot_messages, render

    with pytest.raises(UndefinedError):
        render("system", "repair")  # 'error' missing
    assert "not a valid recipe: boom" in render("system", "repair", error="boom")
    pairs = few_shot_messages()
    assert pairs and all(parse_recipe(__import__("json").loads(c)) for r, c in pairs if r == "ai")


# ----- CLI ------------------------------------------------------------------------------------
def test_do_over_many_files_isolates_failures(tmp_path, capsys):
    good = [_write_mix(tmp_path / f"in{i}.wav", seed=i) for i in range(2)]
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF nonsense")
    out_dir = tmp_path / "outs"
    code = main(["do", "make it 6 dB quieter", str(good[0]), str(bad), str(good[1]), "--out-dir", str(out_dir),
                 "--engine", "dummy", "--no-progress"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and f"Skipping {bad}" in err and "2 of 3 file(s) done" in err
    outs = sorted(out_dir.glob("*.wav"))
    assert [p.name.split("-v")[0] for p in outs] == ["in0", "in1"]


def test_chat_session_resumes_after_restart_with_undo(mix, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("make it 6 dB quieter\nmake it 6 dB quieter\n"))
    assert main(["chat", str(mix), "--session", "s1", "--engine", "dummy"]) == 0
    first = capsys.readouterr()
    assert "session s1: new" in first.err and first.out.count("Output:") == 2
    from agent.memory import samaudio_home

    ws = Workspace.open(samaudio_home() / "sessions" / "s1")
    assert ws.current.id == 2  # two edits; exports are files, not versions
    monkeypatch.setattr(sys, "stdin", io.StringIO("undo\n"))
    assert main(["chat", str(mix), "--session", "s1", "--engine", "dummy"]) == 0
    second = capsys.readouterr()
    assert "resumed at version" in second.err
    ws = Workspace.open(samaudio_home() / "sessions" / "s1")
    level = _rms(ws.current_audio().samples) / _rms(load_audio(mix).samples)
    assert level == pytest.approx(0.5, rel=0.02)  # one of the two -6 dB edits undone
