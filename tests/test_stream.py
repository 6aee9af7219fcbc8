"""``separate_file``: streamed file to file when possible, the same samples as in memory."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import soundfile as sf
from conftest import make_burst_mix

from samaudio_core import load_audio, save_audio, separate, separate_file
from samaudio_core.builtin import BuiltinEngine
from samaudio_core.errors import AudioSaveError
from samaudio_core.prompts import MaskPrompt
from samaudio_core.stream import can_stream


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def long_wav(tmp_path):
    # 6 s stereo at 8 kHz with 1.5 s blocks: four blocks, three crossfades.
    m = make_burst_mix(sample_rate=8_000, seconds=6.0, channels=2, bursts=((1.0, 2.0), (3.5, 4.5)))
    path = tmp_path / "in.wav"
    sf.write(path, m.mix.T, 8_000, subtype="PCM_24")
    return path


def test_streamed_file_has_the_samples_of_separate_and_save(long_wav, tmp_path):
    engine = BuiltinEngine(block_s=1.5)
    before = _digest(long_wav)
    done = separate_file(long_wav, tmp_path / "t.flac", text="beep", residual=tmp_path / "r.wav",
                         engine=engine, stream=True)  # fmt: skip
    assert done.streamed and done.sample_rate == 8_000 and done.info["blocks"] == 4
    assert done.duration == pytest.approx(6.0) and done.residual == tmp_path / "r.wav"
    res = separate(long_wav, text="beep", engine=engine)
    save_audio(tmp_path / "t_ref.flac", res.target, res.sample_rate)
    save_audio(tmp_path / "r_ref.wav", res.residual, res.sample_rate)
    for ours, ref in [("t.flac", "t_ref.flac"), ("r.wav", "r_ref.wav")]:
        a, b = sf.read(tmp_path / ours, dtype="float32")[0], sf.read(tmp_path / ref, dtype="float32")[0]
        np.testing.assert_allclose(a, b, atol=2.5e-7)  # 24-bit: at most one step apart
    assert _digest(long_wav) == before  # the input untouched
    assert not list(tmp_path.glob(".*part*"))  # temporary files renamed or removed


def test_in_memory_fallback_for_other_formats_and_engines(long_wav, tmp_path):
    done = separate_file(long_wav, tmp_path / "t.ogg", text="beep", engine=BuiltinEngine(block_s=1.5))
    assert not done.streamed and done.residual is None and load_audio(tmp_path / "t.ogg").num_samples > 0
    done = separate_file(long_wav, tmp_path / "t.wav", text="beep", engine="dummy", stream=True)
    assert not done.streamed  # the test engine cannot stream
    mix = load_audio(long_wav)
    assert load_audio(tmp_path / "t.wav").samples.shape == mix.samples.shape


def test_when_it_streams(long_wav, tmp_path):
    engine, outs = BuiltinEngine(), [tmp_path / "t.wav", tmp_path / "r.flac"]
    assert not can_stream(engine, long_wav, outs)  # 6 s < STREAM_MIN_SECONDS: faster in memory
    assert can_stream(engine, long_wav, outs, min_seconds=0)
    assert not can_stream(engine, long_wav, [tmp_path / "t.mp3"], min_seconds=0)
    assert not can_stream(engine, long_wav, outs, candidates=3, min_seconds=0)
    assert not can_stream(engine, long_wav, outs, auto_span=True, min_seconds=0)
    assert not can_stream(engine, long_wav, outs, mask=MaskPrompt("v.mp4", box=(0, 0, 1, 1)), min_seconds=0)
    assert not can_stream(engine, tmp_path / "missing.wav", outs, min_seconds=0)


def test_a_failed_stream_leaves_the_old_output_and_no_temporary_file(long_wav, tmp_path, monkeypatch):
    from samaudio_core.builtin import engine as builtin_engine

    out = tmp_path / "t.wav"
    out.write_bytes(b"previous result")
    calls = []
    real = builtin_engine._Plan.target

    def failing(self, x, start):
        calls.append(start)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(self, x, start)

    monkeypatch.setattr(builtin_engine._Plan, "target", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        separate_file(long_wav, out, text="beep", engine=BuiltinEngine(block_s=1.5), stream=True)
    assert out.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav", "t.wav"]


def test_refuses_to_overwrite_the_input(long_wav, tmp_path):
    before = _digest(long_wav)
    with pytest.raises(AudioSaveError, match="overwrite the input"):
        separate_file(long_wav, long_wav, text="beep", engine="builtin", stream=True)
    with pytest.raises(AudioSaveError, match="different files"):
        separate_file(long_wav, tmp_path / "x.wav", residual=tmp_path / "x.wav", text="beep")
    assert _digest(long_wav) == before
