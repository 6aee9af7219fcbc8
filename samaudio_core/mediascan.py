"""Streamed reading of long media: peaks, a spectrogram image, a PCM copy, in bounded memory.

:func:`load_audio` holds a whole file; a 60-minute stereo recording is 1.3 GB of float32.
What a waveform view needs is far smaller, so everything here reads the file block by block
(libsndfile for what it reads, PyAV for the rest, video soundtracks included) and keeps
only what it accumulates: min/max per bucket, one spectrum column per bucket. The single
decoding pass also *is* the check that a file is audio (:func:`scan`): it fails with an
:class:`AudioLoadError` that names the file, like :func:`load_audio` does.
"""

from __future__ import annotations

import os
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .audio import VIDEO_EXTENSIONS, check_input_file, pyav_audio_frames
from .errors import AudioLoadError

#: Samples a decoded block holds at most (per channel): ~1.5 s at 44.1 kHz.
BLOCK = 65_536
#: Peak buckets per second kept by :func:`scan` (the finest zoom a page can ask for).
PEAKS_PER_SECOND = 100


@dataclass
class Scan:
    """What one pass over a file found: its format and its min/max peaks (mono, ``PEAKS_PER_SECOND``)."""

    sample_rate: int
    channels: int
    frames: int
    peaks_min: np.ndarray
    peaks_max: np.ndarray

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def _soundfile_blocks(path: str, block: int) -> Iterator[tuple[np.ndarray, int]]:
    import soundfile as sf

    with sf.SoundFile(path) as f:
        sr = int(f.samplerate)
        for data in f.blocks(blocksize=block, dtype="float32", always_2d=True):
            yield data.T, sr


def _pyav_blocks(path: str, block: int) -> Iterator[tuple[np.ndarray, int]]:
    import av

    with av.open(path) as container:
        sr, _, frames = pyav_audio_frames(container, Path(path).name)
        pending: list[np.ndarray] = []
        held = 0
        for out in frames:
            pending.append(out)
            held += out.shape[1]
            if held >= block:
                yield np.concatenate(pending, axis=1), sr
                pending, held = [], 0
        if pending:
            yield np.concatenate(pending, axis=1), sr


def iter_blocks(path: str | os.PathLike, block: int = BLOCK) -> Iterator[tuple[np.ndarray, int]]:
    """Yield ``(samples (channels, n) float32, sample_rate)`` blocks of an audio or video file."""
    p = check_input_file(path)
    name = p.name
    readers = [_pyav_blocks] if p.suffix.lower() in VIDEO_EXTENSIONS else [_soundfile_blocks, _pyav_blocks]
    errors = []
    for reader in readers:
        started = False
        try:
            for samples, sr in reader(str(p), block):
                started = True
                if not np.isfinite(samples).all():
                    raise AudioLoadError(f"{name}: the audio contains NaN or infinite samples")
                yield samples, sr
            if started or reader is readers[-1]:
                return
        except AudioLoadError:
            raise
        except Exception as exc:  # each backend fails in its own way; collect the reasons
            if started:  # a file that broke half way through: no second reader from the start
                raise AudioLoadError(f"{name}: decoding failed part way ({exc})") from None
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            errors.append(f"{reader.__name__.strip('_').removesuffix('_blocks')}: {reason}")
    raise AudioLoadError(f"{name}: not a readable audio file ({'; '.join(errors)})")


def scan(path: str | os.PathLike, peaks_per_second: int = PEAKS_PER_SECOND) -> Scan:
    """Decode the whole file once, block by block: its format, length and min/max peaks.

    Memory: one block plus the peaks (``peaks_per_second`` x 2 floats a second).
    """
    mins: list[np.ndarray] = []
    maxs: list[np.ndarray] = []
    carry = None
    sr = channels = frames = 0
    hop = 0
    for samples, rate in iter_blocks(path):
        if not hop:
            sr, channels = rate, samples.shape[0]
            hop = max(1, round(sr / peaks_per_second))
        frames += samples.shape[1]
        mono = samples.mean(axis=0)
        if carry is not None:
            mono = np.concatenate([carry, mono])
        whole = (mono.size // hop) * hop
        if whole:
            cells = mono[:whole].reshape(-1, hop)
            mins.append(cells.min(axis=1))
            maxs.append(cells.max(axis=1))
        carry = mono[whole:]
    if carry is not None and carry.size:
        mins.append(carry.min(keepdims=True))
        maxs.append(carry.max(keepdims=True))
    if not frames:
        raise AudioLoadError(f"{Path(path).name}: the file holds no audio samples")
    return Scan(sr, channels, frames, np.concatenate(mins), np.concatenate(maxs))


def downsample_peaks(peaks_min: np.ndarray, peaks_max: np.ndarray, n: int) -> np.ndarray:
    """``n`` (or fewer) peak magnitudes, ``max(|min|, |max|)`` over each of ``n`` equal buckets:
    what a mirrored waveform view draws."""
    total = peaks_min.size
    if total == 0:
        return np.zeros(0, np.float32)
    n = max(1, min(int(n), total))
    edges = np.linspace(0, total, n + 1).astype(int)
    lo = np.minimum.reduceat(peaks_min, edges[:-1])
    hi = np.maximum.reduceat(peaks_max, edges[:-1])
    return np.maximum(hi, -lo).clip(min=0).astype(np.float32)


def spectrogram(
    path: str | os.PathLike, columns: int, rows: int = 128, n_fft: int = 1024, duration: float | None = None
) -> np.ndarray:
    """A (rows, columns) uint8 log-magnitude spectrogram, low frequencies at the bottom.

    One windowed FFT per column, taken at the column's time: the file is streamed once and
    only ``columns`` spectra are kept, however long it is. ``duration`` (s) places the
    columns; without it the file's own length is read first (a metadata probe).
    """
    columns = max(1, int(columns))
    window = np.hanning(n_fft).astype(np.float32)
    out = np.zeros((n_fft // 2 + 1, columns), np.float32)
    pos = 0
    targets = None
    col = 0
    tail = np.zeros(0, np.float32)
    for samples, sr in iter_blocks(path):
        if targets is None:
            total = int(round((duration or probe_duration(path)) * sr))
            targets = np.linspace(0, max(0, total - n_fft), columns).astype(np.int64)
        mono = np.concatenate([tail, samples.mean(axis=0)])
        start = pos - tail.size
        while col < columns and targets[col] + n_fft <= start + mono.size:
            i = int(targets[col] - start)
            frame = mono[max(0, i) : i + n_fft]
            if frame.size == n_fft:
                out[:, col] = np.abs(np.fft.rfft(frame * window))
            col += 1
        pos += samples.shape[1]
        tail = mono[-n_fft:]
    db = 20 * np.log10(out + 1e-6)
    top = float(db.max()) if db.size else 0.0
    db = np.clip((db - (top - 80.0)) / 80.0, 0.0, 1.0)  # 80 dB of range below the loudest bin
    # Log-spaced frequency rows (like an ear, and like Audacity's default).
    bins = np.geomspace(1, db.shape[0] - 1, rows).astype(int)
    return (db[bins][::-1] * 255).astype(np.uint8)


def probe_duration(path: str | os.PathLike) -> float:
    """The duration (s) from the container's metadata, without decoding."""
    p = Path(path)
    try:
        import soundfile as sf

        info = sf.info(str(p))
        return float(info.frames) / float(info.samplerate)
    except Exception:
        import av

        with av.open(str(p)) as c:
            return float(c.duration or 0) / 1e6


def write_pcm16(path: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Decode ``path`` (any format, video soundtracks too) into a 16-bit PCM wav, block by block,
    so a browser can play it with range requests. Written atomically (``atomic_path``)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest, suffix=".wav") as tmp, wave.open(tmp, "wb") as w:
        opened = False
        for samples, sr in iter_blocks(path):
            if not opened:
                w.setnchannels(samples.shape[0])
                w.setsampwidth(2)
                w.setframerate(sr)
                opened = True
            pcm = np.clip(samples.T, -1.0, 1.0) * 32767.0
            w.writeframes(np.round(pcm).astype("<i2").tobytes())
    return dest


__all__ = ["BLOCK", "PEAKS_PER_SECOND", "Scan", "downsample_peaks", "iter_blocks", "probe_duration", "scan",
           "spectrogram", "write_pcm16"]
