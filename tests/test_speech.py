"""Spoken instructions: the committed espeak-ng fixture is transcribed offline and planned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from agent.errors import SpeechError
from agent.speech import normalize_numbers, transcribe

DATA = Path(__file__).resolve().parent / "data"
#: espeak-ng -v en-us -s 160 "remove the wind", 16 kHz mono, 1.3 s
SPOKEN = DATA / "spoken_remove_wind.wav"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAMAUDIO_WHISPER_MODEL", raising=False)
    for var in ("SAMAUDIO_LLM_BASE_URL", "OPENAI_API_KEY", "SAMAUDIO_PLANNER"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize(
    "said,normalised",
    [
        ("make it three decibels louder", "make it 3 dB louder"),
        ("boost the vocals by twenty five dB", "boost the vocals by 25 dB"),
        ("fade out over two and a half seconds", "fade out over 2.5 seconds"),
        ("one point five seconds", "1.5 seconds"),
        ("normalize to minus fourteen LUFS", "normalize to -14 LUFS"),
        ("the last one hundred and twenty seconds", "the last 120 seconds"),
        ("gain 3 d b", "gain 3 dB"),
        ("Someone is talking, remove them", "Someone is talking, remove them"),
        ("remove the siren from 1-30 to 1-40", "remove the siren from 1:30 to 1:40"),
        ("isolate the whistle at 0.30-0.32", "isolate the whistle at 0:30-0:32"),
        ("trim from 0, 0, 5 to 1, 0, 0", "trim from 0:05 to 1:00"),
        ("fade in over 1.5 s and cut 10-11 seconds", "fade in over 1.5 s and cut 10-11 seconds"),
        ("make it 0.25 seconds longer", "make it 0.25 seconds longer"),
        ("trim the 1st 2 seconds and save as flack", "trim the first 2 seconds and save as flac"),
    ],
)
def test_number_words_are_normalised(said, normalised):
    assert normalize_numbers(said) == normalised


def test_fixture_is_small_and_mono():
    info = sf.info(str(SPOKEN))
    assert info.samplerate == 16000 and info.channels == 1 and info.duration < 5
    assert SPOKEN.stat().st_size < 200_000


def test_spoken_fixture_is_transcribed_and_planned():
    t = transcribe(SPOKEN)
    words = [w.strip(".,!?").lower() for w in t.text.split()]
    assert words[0] == "remove" and words[-1] == "wind", t.raw
    from agent.planners.base import get_planner

    recipe = get_planner("rules").plan(t.text, duration=10.0)
    assert [(s.op, s.target, s.action) for s in recipe.steps] == [("separate", "wind", "remove")]


def test_transcribe_cli_and_do_with_say(tmp_path, capsys):
    from agent.cli import main

    assert main(["transcribe", str(SPOKEN)]) == 0
    assert "wind" in capsys.readouterr().out.lower()
    rng = np.random.default_rng(0)
    clip = tmp_path / "clip.wav"
    sf.write(clip, (0.1 * rng.standard_normal(32000)).astype(np.float32), 16000)
    code = main(
        [
            "do",
            "--say",
            str(SPOKEN),
            str(clip),
            "--engine",
            "dummy",
            "--no-judge",
            "-o",
            str(tmp_path / "o.wav"),
        ]
    )
    captured = capsys.readouterr()
    assert 'heard: "' in captured.err and "wind" in captured.err.lower()
    assert code == 0 and "Removed the wind" in captured.out and (tmp_path / "o.wav").is_file()


def test_unreadable_speech_is_a_clear_error(tmp_path):
    with pytest.raises(SpeechError, match="no such file"):
        transcribe(tmp_path / "missing.wav")
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(16000, np.float32), 16000)
    with pytest.raises(SpeechError):
        transcribe(silent)
