"""Audio I/O: formats, sample rates, channel counts, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from samaudio_core.audio import Audio, load_audio, resample, save_audio
from samaudio_core.errors import AudioLoadError, AudioSaveError


def _tone(sr: int, seconds: float = 1.0, channels: int = 2, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    return np.stack([0.3 * np.sin(2 * np.pi * freq * (c + 1) * t) for c in range(channels)]).astype(
        np.float32
    )


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3"])
@pytest.mark.parametrize("channels", [1, 2])
def test_save_and_load_roundtrip_keeps_rate_channels_and_length(tmp_path, fmt, channels):
    sr = 44100
    x = _tone(sr, 1.0, channels)
    path = save_audio(tmp_path / f"x.{fmt}", x, sample_rate=sr)
    a = load_audio(path)
    assert a.sample_rate == sr
    assert a.channels == channels
    # Lossy codecs add encoder delay/padding of a frame or two; lossless ones are exact.
    tolerance = 0 if fmt in ("wav", "flac") else 3000
    assert abs(a.num_samples - x.shape[1]) <= tolerance
    n = min(a.num_samples, x.shape[1])
    if fmt in ("wav", "flac"):
        assert np.allclose(a.samples[:, :n], x[:, :n], atol=1e-4)
    else:
        # Same energy within 1 dB: the codec kept the tone.
        e_in, e_out = np.sum(x**2), np.sum(a.samples**2)
        assert abs(10 * np.log10(e_out / e_in)) < 1.0


def test_multichannel_and_odd_sample_rate(tmp_path):
    x = _tone(11025, 0.5, channels=6)
    save_audio(tmp_path / "six.wav", x, sample_rate=11025)
    a = load_audio(tmp_path / "six.wav")
    assert a.channels == 6 and a.sample_rate == 11025
    b = load_audio(tmp_path / "six.wav", sample_rate=44100)
    assert b.sample_rate == 44100 and b.channels == 6
    assert abs(b.num_samples - 4 * a.num_samples) <= 4


def test_resample_preserves_a_tone():
    sr = 22050
    x = _tone(sr, 1.0, channels=1, freq=1000)
    y = resample(x, sr, 48000)
    spectrum = np.abs(np.fft.rfft(y[0]))
    peak_hz = np.argmax(spectrum) * 48000 / y.shape[1]
    assert abs(peak_hz - 1000) < 2


def test_mono_downmix(tmp_path):
    x = _tone(16000, 0.5, channels=2)
    save_audio(tmp_path / "s.wav", x, sample_rate=16000)
    a = load_audio(tmp_path / "s.wav", channels=1)
    assert a.channels == 1
    assert np.allclose(a.samples[0], x.mean(axis=0), atol=1e-4)


def _write_m4a(path, sr=44100):
    import av

    x = _tone(sr, 1.0, channels=2)
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("aac", rate=sr)
        s.layout = "stereo"
        for i in range(0, x.shape[1], 1024):
            f = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(x[:, i : i + 1024]), format="fltp", layout="stereo"
            )
            f.sample_rate = sr
            f.pts = i
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return x


@pytest.mark.parametrize("name", ["clip.m4a", "clip.mp4"])
def test_aac_in_mp4_containers(tmp_path, name):
    x = _write_m4a(tmp_path / name)
    a = load_audio(tmp_path / name)
    assert a.channels == 2 and a.sample_rate == 44100
    assert abs(a.num_samples - x.shape[1]) < 3000


def test_missing_file_is_named(tmp_path):
    with pytest.raises(AudioLoadError, match=r"nope\.wav: no such file"):
        load_audio(tmp_path / "nope.wav")


def test_directory_is_refused(tmp_path):
    with pytest.raises(AudioLoadError, match="is a directory"):
        load_audio(tmp_path)


def test_text_file_is_not_audio(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("this is not audio")
    with pytest.raises(AudioLoadError, match=r"notes\.wav: not a readable audio file"):
        load_audio(p)


def test_empty_file_and_zero_length_audio(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioLoadError, match="empty"):
        load_audio(tmp_path / "empty.wav")
    sf.write(tmp_path / "zero.wav", np.zeros((0, 1), np.float32), 16000)
    with pytest.raises(AudioLoadError, match="zero length"):
        load_audio(tmp_path / "zero.wav")


def test_truncated_file(tmp_path):
    save_audio(tmp_path / "full.flac", _tone(44100, 1.0), sample_rate=44100)
    data = (tmp_path / "full.flac").read_bytes()
    (tmp_path / "cut.flac").write_bytes(data[:60])
    with pytest.raises(AudioLoadError, match=r"cut\.flac"):
        load_audio(tmp_path / "cut.flac")


def test_nan_samples_are_refused(tmp_path):
    x = _tone(8000, 0.2, 1)
    x[0, 10] = np.nan
    sf.write(tmp_path / "nan.wav", x.T, 8000, subtype="FLOAT")
    with pytest.raises(AudioLoadError, match="NaN or infinite"):
        load_audio(tmp_path / "nan.wav")


def test_save_refuses_unknown_format_and_leaves_nothing(tmp_path):
    with pytest.raises(AudioSaveError, match="cannot write format 'xyz'"):
        save_audio(tmp_path / "out.xyz", _tone(8000, 0.1), sample_rate=8000)
    assert list(tmp_path.iterdir()) == []


def test_failed_save_leaves_no_partial_file(tmp_path):
    # mp3 supports at most two channels: the encoder fails midway and the temp file must go.
    with pytest.raises(AudioSaveError):
        save_audio(tmp_path / "six.mp3", _tone(44100, 0.2, channels=6), sample_rate=44100)
    assert list(tmp_path.iterdir()) == []


def test_save_clamps_instead_of_wrapping(tmp_path):
    x = np.full((1, 1000), 1.5, np.float32)
    save_audio(tmp_path / "loud.wav", Audio(x, 8000))
    y = load_audio(tmp_path / "loud.wav").samples
    assert y.max() <= 1.0 and y.min() > 0.9
