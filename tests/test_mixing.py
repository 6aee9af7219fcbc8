"""Mixing ops: physical properties of the output (levels, ramps, loudness, no clipping)."""

from __future__ import annotations

import numpy as np
import pytest

from samaudio_core import mixing

SR = 16000


def _noise(seconds=2.0, channels=2, level=0.1, seed=0):
    rng = np.random.default_rng(seed)
    return (level * rng.standard_normal((channels, int(SR * seconds)))).astype(np.float32)


def _rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-12)


def test_gain_whole_signal():
    x = _noise()
    y = mixing.gain(x, SR, 6.0)
    assert _rms_db(y) - _rms_db(x) == pytest.approx(6.0, abs=1e-3)
    assert y is not x and np.array_equal(x, _noise())  # input untouched


def test_gain_limited_to_a_range_touches_nothing_else_and_has_ramps():
    x = np.ones((1, SR * 2), np.float32) * 0.1
    y = mixing.gain(x, SR, 20.0, ranges=[(0.5, 1.0)])
    a, b = int(0.5 * SR), int(1.0 * SR)
    assert np.allclose(y[:, :a], x[:, :a]) and np.allclose(y[:, b:], x[:, b:])
    assert np.allclose(y[0, a + 400 : b - 400], 1.0, atol=1e-5)  # +20 dB = x10 inside
    # No click: the largest step between neighbouring samples is small.
    assert np.max(np.abs(np.diff(y[0]))) < 0.01


def test_stem_gain_remove_and_boost():
    rng = np.random.default_rng(1)
    stem = rng.standard_normal((1, SR)).astype(np.float32) * 0.1
    rest = rng.standard_normal((1, SR)).astype(np.float32) * 0.1
    mix = stem + rest
    assert np.allclose(mixing.apply_stem_gain(mix, stem, SR, None), rest, atol=1e-6)
    boosted = mixing.apply_stem_gain(mix, stem, SR, 6.0)
    assert np.allclose(boosted, rest + stem * mixing.db_to_gain(6.0), atol=1e-6)


def test_fades():
    x = np.ones((2, SR), np.float32)
    fin = mixing.fade(x, SR, "in", 0.5)
    assert fin[0, 0] == pytest.approx(0.0, abs=1e-6) and fin[0, -1] == 1.0
    assert np.all(np.diff(fin[0, : SR // 2]) >= 0)
    fout = mixing.fade(x, SR, "out", 0.25)
    assert fout[1, -1] == pytest.approx(0.0, abs=1e-6) and fout[1, 0] == 1.0
    with pytest.raises(ValueError):
        mixing.fade(x, SR, "sideways", 1.0)


def test_trim():
    x = np.arange(SR * 3, dtype=np.float32)[None, :]
    y = mixing.trim(x, SR, 1.0, 2.5)
    assert y.shape == (1, int(1.5 * SR)) and y[0, 0] == SR
    assert mixing.trim(x, SR, 2.0).shape[1] == SR
    with pytest.raises(ValueError):
        mixing.trim(x, SR, 2.0, 1.0)


@pytest.mark.parametrize("target", [-23.0, -14.0])
def test_normalize_loudness_hits_the_target(target):
    x = _noise(3.0, level=0.02)
    y = mixing.normalize_loudness(x, SR, target)
    assert mixing.loudness(y, SR) == pytest.approx(target, abs=0.1)


def test_normalize_silence_is_left_alone():
    x = np.zeros((1, SR), np.float32)
    assert np.array_equal(mixing.normalize_loudness(x, SR, -14), x)


def test_limiter_keeps_peaks_under_the_ceiling_and_says_so():
    t = np.arange(SR) / SR
    x = (1.8 * np.sin(2 * np.pi * 220 * t))[None, :].astype(np.float32)
    y, reduced = mixing.limit(x, SR)
    assert np.max(np.abs(y)) <= mixing.LIMIT_CEILING + 1e-6
    assert reduced > 5.0
    quiet = 0.5 * x
    z, none = mixing.limit(quiet / 1.8, SR)
    assert none == 0.0 and np.array_equal(z, quiet / 1.8)


def test_remix_per_stem_gains():
    a, b = np.ones((1, 10), np.float32), np.full((1, 10), 2.0, np.float32)
    out = mixing.remix({"a": a, "b": b}, {"b": -6.0206})
    assert np.allclose(out, 2.0, atol=1e-3)
    with pytest.raises(KeyError, match="no stem named c"):
        mixing.remix({"a": a}, {"c": 1.0})


def test_loudness_beyond_five_channels_sums_channel_power():
    """pyloudnorm refuses more than 5 channels; 8 copies of a stereo pair are 4x its power (+6.02 dB)."""
    from samaudio_core.mixing import loudness, normalize_loudness

    sr = 48_000
    pair = (0.1 * np.random.default_rng(0).standard_normal((2, 2 * sr))).astype(np.float32)
    eight = np.concatenate([pair] * 4)
    assert loudness(eight, sr) - loudness(pair, sr) == pytest.approx(10 * np.log10(4), abs=1e-6)
    assert loudness(normalize_loudness(eight, sr, -20.0), sr) == pytest.approx(-20.0, abs=1e-3)
    assert loudness(np.zeros((8, 100), np.float32), sr) == float("-inf")
