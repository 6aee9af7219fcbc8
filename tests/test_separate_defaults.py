"""separate()'s defaults: automatic spans for text-only prompts on the built-in engine."""

import warnings

import numpy as np

from samaudio_core import separate
from samaudio_core.audio import Audio

SR = 16000


def _beeps_in_noise() -> Audio:
    rng = np.random.default_rng(1)
    t = np.arange(5 * SR) / SR
    beep = np.where(((t > 1) & (t < 1.5)) | ((t > 3) & (t < 3.5)), 0.3 * np.sin(2 * np.pi * 1000 * t), 0.0)
    return Audio((beep + 0.05 * rng.standard_normal(t.size))[None].astype(np.float32), SR)


def test_text_only_finds_spans_by_default():
    audio = _beeps_in_noise()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = separate(audio, text="beep", engine="builtin")
        told = separate(audio, text="beep", engine="builtin", auto_span=True)
    spans = default.info.get("auto_spans")
    assert spans and all(0.8 <= a and b <= 3.7 for a, b in spans)  # on the beeps
    np.testing.assert_array_equal(default.target, told.target)


def test_no_automatic_spans_past_the_engine_limit(monkeypatch):
    from samaudio_core.builtin.engine import BuiltinEngine

    monkeypatch.setattr(BuiltinEngine, "auto_span_by_default_up_to_s", 1.0)
    audio = _beeps_in_noise()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = separate(audio, text="beep", engine=BuiltinEngine(auto_spans=False))
        off = separate(audio, text="beep", engine=BuiltinEngine(auto_spans=False), auto_span=False)
    assert "auto_spans" not in default.info
    np.testing.assert_array_equal(default.target, off.target)


def test_engines_without_the_attribute_get_no_automatic_spans():
    audio = _beeps_in_noise()
    res = separate(audio, text="beep", engine="dummy")
    assert "auto_spans" not in res.info
