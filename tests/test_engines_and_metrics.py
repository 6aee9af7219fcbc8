"""Engine registry, the separate() API on the dummy engine, and SI-SDR."""

from __future__ import annotations

import numpy as np
import pytest

from samaudio_core import available_engines, load_engine, separate, si_sdr, si_sdr_improvement
from samaudio_core.audio import Audio
from samaudio_core.engines import SeparationResult, check_result
from samaudio_core.errors import PromptError, UnknownEngineError
from samaudio_core.prompts import parse_span, parse_time


def test_unknown_engine_lists_the_available_ones():
    with pytest.raises(UnknownEngineError) as err:
        load_engine("nope")
    assert "dummy" in str(err.value) and "dummy" in available_engines()


def test_dummy_engine_reconstructs_and_keeps_shape():
    sr = 8000
    x = np.random.default_rng(0).standard_normal((2, sr * 2)).astype(np.float32)
    res = separate(x, sample_rate=sr, text="anything", spans=[(0.5, 1.0)], engine="dummy")
    assert res.target.shape == x.shape == res.residual.shape
    assert np.allclose(res.target + res.residual, x, atol=1e-6)
    inside = res.target[:, int(0.6 * sr) : int(0.9 * sr)]
    assert np.allclose(inside, x[:, int(0.6 * sr) : int(0.9 * sr)], atol=1e-5)
    assert np.abs(res.target[:, int(1.2 * sr) :]).max() < 1e-6


def test_prompt_validation():
    with pytest.raises(PromptError, match="give a text prompt"):
        separate(np.zeros((1, 800), np.float32), sample_rate=8000, engine="dummy")
    with pytest.raises(PromptError, match="starts after the end"):
        separate(np.zeros((1, 8000), np.float32), sample_rate=8000, spans=[(3, 4)], engine="dummy")
    with pytest.raises(PromptError, match="not after the start"):
        parse_span("5-2")


@pytest.mark.parametrize(
    "text, seconds", [("90", 90), ("1:30", 90), ("1m30s", 90), ("00:01:30.5", 90.5), ("4.5", 4.5)]
)
def test_parse_time(text, seconds):
    assert parse_time(text) == pytest.approx(seconds)


def test_si_sdr_properties():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(8000)
    assert si_sdr(ref * 0.3, ref) > 80  # scale-invariant
    noise = rng.standard_normal(8000)
    assert si_sdr(ref + noise, ref) == pytest.approx(0.0, abs=0.3)
    assert si_sdr(ref + 0.1 * noise, ref) == pytest.approx(20.0, abs=0.3)
    mix = ref + noise
    assert si_sdr_improvement(ref + 0.1 * noise, ref, mix) == pytest.approx(20.0, abs=0.5)


# --- check_result: every caller holds engines to the input's shape -------------------------


def test_check_result_fixes_padding_and_refuses_engine_bugs():
    sr = 16_000
    audio = Audio(np.zeros((2, sr), np.float32), sr)
    padded = SeparationResult(np.ones((2, sr + 100)), np.ones((2, sr - 100)), sr, {"engine": "e"})
    assert check_result(padded, audio) is padded
    assert padded.target.shape == padded.residual.shape == (2, sr) and padded.target.dtype == np.float32
    assert not padded.residual[:, -100:].any()  # zero-padded
    mono = Audio(np.zeros((1, sr), np.float32), sr)
    flat = check_result(SeparationResult(np.ones(sr), np.ones(sr), sr), mono)
    assert flat.target.shape == (1, sr)
    bad = {
        "channels": SeparationResult(np.ones((1, sr)), np.ones((1, sr)), sr),
        "samples for an input": SeparationResult(np.ones((2, sr // 2)), np.ones((2, sr // 2)), sr),
        "NaN": SeparationResult(np.full((2, sr), np.nan), np.ones((2, sr)), sr),
        "3-D": SeparationResult(np.ones((2, sr, 1)), np.ones((2, sr)), sr),
    }
    for what, res in bad.items():
        with pytest.raises(RuntimeError, match=what):
            check_result(res, audio)
