"""Session memory: persists across processes, recalls by meaning offline, turns statements into preferences."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.memory import MiniLMEmbedding, Preferences, SessionMemory, detect_preference, samaudio_home

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_memory_persists_across_processes(tmp_path):
    # This process stores embedded entries; a second process (which never loads the embedding
    # model: it gets the query vector from us) finds them by meaning and writes a preference;
    # a fresh memory object here sees that preference.
    from samaudio_core.embeddings import embed

    m = SessionMemory()
    m.add("remove the wind from the beach recording", kind="instruction", session="beach")
    m.add("keep only the guitar", kind="instruction", session="song")
    assert m.flush() == 2
    query = embed(["get rid of gusts of air noise"])[0].tolist()
    env = {**os.environ, "SAMAUDIO_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    child = _python(
        f"""
        import sys
        from agent.memory import SessionMemory
        m = SessionMemory()
        print([e.text for e in m.entries(kind="instruction")])
        res = m.collection.query(query_embeddings=[{query}], n_results=1)
        print(res["documents"][0][0], "|", res["metadatas"][0][0]["session"])
        m.add("always export mp3", kind="preference")
        print("sentence_transformers" in sys.modules)
        """,
        env,
    )
    assert child.returncode == 0, child.stderr
    lines = child.stdout.strip().splitlines()
    assert lines[-3] == "['remove the wind from the beach recording', 'keep only the guitar']"
    assert lines[-2] == "remove the wind from the beach recording | beach"
    assert lines[-1] == "False"
    fresh = SessionMemory()
    assert fresh.preferences().export_format == "mp3"
    hits = fresh.recall("always use mp3 for exports", k=1)  # flushes the child's entry, then searches
    assert hits[0].kind == "preference" and hits[0].text == "always export mp3"


def test_journal_is_visible_before_flush_and_flushed_once():
    m = SessionMemory()
    m.add("make the vocals louder", session="a")
    assert [e.text for e in SessionMemory().entries()] == ["make the vocals louder"]
    assert m.flush() == 1 and m.flush() == 0
    assert [e.text for e in m.entries()] == ["make the vocals louder"]  # no duplicate after the flush
    assert m.path == samaudio_home() / "memory"


def test_recall_filters_by_kind_and_session():
    m = SessionMemory()
    m.add("remove the dog barking", session="park")
    m.add('{"steps": [{"op": "separate", "target": "dog barking"}]}', kind="plan", session="park")
    m.add("remove the dog barking", session="other")
    hits = m.recall("dog", k=5, kind="plan")
    assert [h.kind for h in hits] == ["plan"]
    assert {h.session for h in m.recall("dog", k=5, session="park")} == {"park"}
    assert m.recall("dog", k=5, kind="preference") == []


def test_add_refuses_unknown_kinds_and_empty_text():
    m = SessionMemory()
    with pytest.raises(ValueError, match="unknown memory kind"):
        m.add("x", kind="secrets")
    with pytest.raises(ValueError):
        m.add("   ")


@pytest.mark.parametrize(
    "text,fmt,gentle",
    [
        ("always export mp3", "mp3", False),
        ("I prefer gentle noise removal", None, True),
        ("from now on save as flac please", "flac", False),
        ("by default give me ogg files, and remove noise gently", "ogg", True),
    ],
)
def test_preferences_from_statements(text, fmt, gentle):
    assert detect_preference(text) == text
    p = Preferences.from_statements([text])
    assert p.export_format == fmt and p.gentle_removal is gentle


def test_later_statements_override_earlier_ones():
    p = Preferences.from_statements(
        ["always export mp3", "actually from now on export wav", "normalize to -16 LUFS by default"]
    )
    assert p.export_format == "wav" and p.lufs == -16.0


def test_plain_instructions_are_not_preferences():
    for text in ("remove the wind", "make the vocals 3 dB louder", "export as mp3"):
        assert detect_preference(text) is None


def test_embedding_function_is_self_describing():
    ef = MiniLMEmbedding()
    assert ef.name() == "samaudio-minilm"
    assert isinstance(MiniLMEmbedding.build_from_config(ef.get_config()), MiniLMEmbedding)
