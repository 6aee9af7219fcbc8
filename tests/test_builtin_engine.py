"""The built-in engine: physical properties of its outputs on synthesised mixtures."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
import soundfile as sf
from conftest import make_burst_mix, tone_complex

from samaudio_core import Audio, Prompt, load_engine, si_sdr
from samaudio_core.builtin import BuiltinEngine, separate_file
from samaudio_core.builtin.chunking import separate_array
from samaudio_core.builtin.ontology import match_kind


def _energy(x: np.ndarray) -> float:
    return float(np.sum(np.asarray(x, np.float64) ** 2))


def _engine(**kw) -> BuiltinEngine:
    # Keywords only, and text methods on their own unless a test asks for detected spans.
    kw.setdefault("auto_spans", False)
    return BuiltinEngine(use_embeddings=False, **kw)


def test_registered_as_builtin_and_preferred_by_auto():
    assert isinstance(load_engine("builtin"), BuiltinEngine)
    assert isinstance(load_engine("auto"), BuiltinEngine) or load_engine("auto").name != "dummy"


@pytest.mark.parametrize(
    ("sr", "channels", "text"),
    [
        (16_000, 1, "beep"),
        (44_100, 2, "the hiss"),
        (11_025, 1, "dog barking"),
        (22_050, 2, "acoustic guitar"),
    ],
)
def test_shape_rate_and_exact_reconstruction(sr, channels, text):
    m = make_burst_mix(sample_rate=sr, seconds=2.7, channels=channels)
    res = _engine().separate(Audio(m.mix, sr), Prompt(text=text))
    assert res.target.shape == m.mix.shape == res.residual.shape
    assert res.target.dtype == np.float32 and res.residual.dtype == np.float32
    assert res.sample_rate == sr
    np.testing.assert_allclose(res.target + res.residual, m.mix, atol=1e-5)
    assert res.info["engine"] == "builtin" and res.info["kind"] == match_kind(text, False).kind.name
    assert isinstance(res.info["warnings"], list) and "confidence" in res.info


def test_text_only_prompt_finds_its_own_spans(burst_mix):
    m = burst_mix
    res = _engine(auto_spans=True).separate(Audio(m.mix, m.sample_rate), Prompt(text="beep"))
    assert res.info["mode"] == "text+span" and len(res.info["auto_spans"]) == len(m.active)
    assert si_sdr(res.target, m.target) > si_sdr(m.mix, m.target) + 6.0


def test_span_prompt_puts_burst_in_target_inside_and_residual_outside(burst_mix):
    m = burst_mix
    # Only the first burst is given; the second must be found from the fingerprint.
    res = _engine().separate(Audio(m.mix, m.sample_rate), Prompt(spans=((0.85, 1.35),)))
    assert res.info["mode"] == "span" and res.info["spans"] == [[0.85, 1.35]]
    for a, b in m.active:
        r = m.region(a + 0.05, b - 0.05)
        # Inside a burst the target carries the burst: most energy and a clean waveform.
        assert si_sdr(res.target[:, r], m.target[:, r]) > 8.0
        assert _energy(res.target[:, r]) > 0.6 * _energy(m.target[:, r])
    quiet = np.ones(m.mix.shape[1], bool)
    for a, b in m.active:
        quiet[m.region(a - 0.1, b + 0.1)] = False
    # Outside the bursts the background goes to the residual.
    assert _energy(res.target[:, quiet]) < 0.1 * _energy(m.mix[:, quiet])
    assert si_sdr(res.residual[:, quiet], m.background[:, quiet]) > 10.0


def test_text_and_span_beat_the_unprocessed_mix(burst_mix):
    m = burst_mix
    res = _engine().separate(Audio(m.mix, m.sample_rate), Prompt(text="beep", spans=((0.85, 1.35),)))
    assert res.info["mode"] == "text+span"
    assert si_sdr(res.target, m.target) > si_sdr(m.mix, m.target) + 6.0


def test_absent_spans_silence_the_target(burst_mix):
    m = burst_mix
    res = _engine().separate(Audio(m.mix, m.sample_rate), Prompt(text="beep", absent=((1.9, 2.7),)))
    r = m.region(2.0, 2.6)
    assert _energy(res.target[:, r]) < 1e-4 * _energy(m.mix[:, r])
    assert _energy(res.target[:, m.region(0.9, 1.3)]) > 0.3 * _energy(m.target[:, m.region(0.9, 1.3)])


def test_mains_hum_is_removed_by_notches():
    sr, n = 16_000, 16_000 * 3
    rng = np.random.default_rng(1)
    t = np.arange(n) / sr
    # Program material: a wandering harmonic tone plus noise bursts; hum at 50 Hz and harmonics.
    clean = 0.2 * np.sin(
        2 * np.pi * (300 + 80 * np.sin(2 * np.pi * 0.5 * t)) * t
    ) + 0.05 * rng.standard_normal(n)
    hum = 0.15 * sum(np.sin(2 * np.pi * 50.0 * k * t + k) / k for k in range(1, 8))
    mix = (clean + hum).astype(np.float32)[None]
    res = _engine().separate(Audio(mix, sr), Prompt(text="60 hz hum"))
    assert res.info["method"] == "hum-notch" and abs(res.info["hum"]["f0"] - 50.0) < 0.3
    assert si_sdr(res.residual, clean[None]) > si_sdr(mix, clean[None]) + 10.0
    assert si_sdr(res.target, hum[None]) > 10.0


def test_stationary_hiss_goes_to_the_target():
    sr, n = 22_050, 22_050 * 3
    rng = np.random.default_rng(2)
    env = (np.sin(2 * np.pi * 1.3 * np.arange(n) / sr) > 0).astype(np.float32)
    program = 0.3 * tone_complex(440.0, n, sr, 5) * env
    hiss = 0.03 * rng.standard_normal(n).astype(np.float32)
    mix = (program + hiss)[None]
    res = _engine().separate(Audio(mix, sr), Prompt(text="tape hiss"))
    assert si_sdr(res.residual, program[None]) > si_sdr(mix, program[None]) + 6.0


def test_unseen_words_land_on_the_right_kind():
    rumble, chatter = match_kind("rumble"), match_kind("chatter")
    assert rumble.how == chatter.how == "embedding"  # neither word is a keyword
    assert rumble.kind.name == "wind"
    assert chatter.kind.name in ("crowd", "speech")


def test_unknown_phrase_warns_and_does_less(burst_mix):
    m = burst_mix
    eng = BuiltinEngine()
    plan_match = match_kind("qwzx plorb")
    assert plan_match.confidence < 0.45
    with pytest.warns(UserWarning, match="matches no known sound kind"):
        res = eng.separate(Audio(m.mix, m.sample_rate), Prompt(text="qwzx plorb"))
    assert res.info["warnings"] and res.info["strength"] < 1.0
    np.testing.assert_allclose(res.target + res.residual, m.mix, atol=1e-5)
    # Doing less: both stems stay close to scaled copies of the input.
    assert si_sdr(res.target, m.mix) > 3.0 and si_sdr(res.residual, m.mix) > 3.0


def test_chunk_joins_are_seamless():
    sr = 16_000
    m = make_burst_mix(sample_rate=sr, seconds=6.0, bursts=((1.0, 2.5), (3.5, 5.0)))
    eng = _engine()
    whole = eng.separate(Audio(m.mix, sr), Prompt(text="beep"))
    small = _engine(block_s=1.5).separate(Audio(m.mix, sr), Prompt(text="beep"))
    assert small.info["blocks"] > 3
    np.testing.assert_allclose(small.target + small.residual, m.mix, atol=1e-5)
    # Block-wise and whole-file targets agree closely, and no join adds a step.
    assert si_sdr(small.target, whole.target) > 15.0
    jumps = np.abs(np.diff(small.target[0]))
    assert jumps.max() < 2.0 * np.abs(np.diff(whole.target[0])).max() + 1e-3


def test_crossfade_is_exact_for_an_identity_target():
    x = np.random.default_rng(3).standard_normal((2, 50_000)).astype(np.float32)
    target, residual = separate_array(x, 8_000, lambda seg, start: seg * 0.5, block_s=1.0)
    np.testing.assert_allclose(target, 0.5 * x, atol=1e-6)
    np.testing.assert_allclose(residual, 0.5 * x, atol=1e-6)


def test_streaming_matches_in_memory(tmp_path):
    m = make_burst_mix(sample_rate=16_000, seconds=5.0, channels=2)
    src = tmp_path / "in.wav"
    sf.write(src, m.mix.T, 16_000, subtype="FLOAT")
    eng = _engine(block_s=2.0)
    info = separate_file(src, tmp_path / "t.flac", tmp_path / "r.wav", Prompt(text="beep"), engine=eng)
    t, sr = sf.read(tmp_path / "t.flac", dtype="float32", always_2d=True)
    r, _ = sf.read(tmp_path / "r.wav", dtype="float32", always_2d=True)
    ref = eng.separate(Audio(m.mix, 16_000), Prompt(text="beep"))
    assert sr == 16_000 and t.shape == m.mix.T.shape and info["kind"] == "siren"
    np.testing.assert_allclose(t.T, ref.target, atol=1e-4)  # 24-bit output
    np.testing.assert_allclose(t.T + r.T, m.mix, atol=2e-4)
    assert not list(tmp_path.glob(".*part*"))  # temporary files renamed or removed


def _streaming_peak(tmp_path, minutes: float, sr: int = 8_000) -> int:
    src = tmp_path / f"long{minutes}.wav"
    rng = np.random.default_rng(4)
    with sf.SoundFile(src, "w", sr, 1, subtype="PCM_16") as f:
        for _ in range(int(minutes * 6)):  # written in 10 s pieces
            f.write((0.05 * rng.standard_normal(sr * 10)).astype(np.float32))
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eng = _engine(block_s=3)
            separate_file(src, tmp_path / "t.wav", tmp_path / "r.wav", Prompt(text="hiss"), engine=eng)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sf.info(tmp_path / "t.wav").frames == int(sr * 60 * minutes)
    return peak


def test_long_file_streams_in_bounded_memory(tmp_path):
    short, long = _streaming_peak(tmp_path, 0.5), _streaming_peak(tmp_path, 2.0)
    input_bytes = 8_000 * 120 * 4  # the 2-minute input as float32: 3.8 MB
    assert long < 1.25 * short + 200_000, f"peak grew from {short / 1e6:.1f} to {long / 1e6:.1f} MB"
    assert long < input_bytes  # never holds the input, let alone its STFT
