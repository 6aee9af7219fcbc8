"""Audio I/O, the :class:`Audio` type and audio constants.

Reading goes through ``soundfile`` (wav, flac, ogg/vorbis, mp3 with libsndfile >= 1.1)
first and PyAV second (m4a/aac, mp4/mov/mkv/webm audio tracks, anything FFmpeg reads);
both ship their native libraries inside their wheels, so no system ffmpeg is needed.
Writing: wav/flac/ogg with soundfile, mp3 through PyAV's bundled FFmpeg encoder.
Every write goes to a temporary file in the destination folder and is renamed into
place, so a failed or interrupted save never leaves a half-written file.

Arrays are float32, shaped ``(channels, samples)``, nominally within [-1, 1].
"""

from __future__ import annotations

import os
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .atomic import atomic_path
from .errors import AudioLoadError, AudioSaveError, DamagedAudioWarning

#: Sample rate (Hz) the built-in engine analyses at; inputs keep their own rate on output.
SAMPLE_RATE = 44_100
#: Formats ``save_audio`` can write.
SAVE_FORMATS = ("wav", "flac", "ogg", "mp3")
#: Highest sample rate (Hz) MPEG-1 Layer III can store.
MP3_MAX_RATE = 48_000
#: Extensions recognised as video containers (their audio track is read).
VIDEO_EXTENSIONS = (".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v")


@dataclass
class Audio:
    """A piece of audio in memory.

    Attributes
    ----------
    samples : float32 array, shape (channels, samples)
    sample_rate : int, Hz
    path : where it was read from, if anywhere (used in messages)
    """

    samples: np.ndarray
    sample_rate: int
    path: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        arr = np.asarray(self.samples, dtype=np.float32)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise ValueError(f"audio must be (channels, samples), got shape {arr.shape}")
        self.samples = arr
        self.sample_rate = int(self.sample_rate)

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def num_samples(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.num_samples / float(self.sample_rate)

    def mono(self) -> np.ndarray:
        """Mean over channels, shape (samples,)."""
        return self.samples.mean(axis=0)


def _name(path: str | os.PathLike) -> str:
    return str(path)


def _check_samples(samples: np.ndarray, path: str) -> np.ndarray:
    if samples.size == 0 or samples.shape[-1] == 0:
        raise AudioLoadError(f"{path}: the file holds no audio (zero length)")
    if not np.all(np.isfinite(samples)):
        raise AudioLoadError(f"{path}: the audio contains NaN or infinite samples")
    return samples


def wav_shortfall(path: str | os.PathLike) -> tuple[int, int, int] | None:
    """``(frames promised, frames present, sample rate)`` when a RIFF WAV's data chunk says it
    is longer than the file holds (a download or copy cut short), else None.

    libsndfile quietly clamps such a file to what is there, so the header is read here. A data
    size of 0 or 0xFFFFFFFF means "unknown" (written by a stream that could not seek back),
    and RF64/RIFX files are left to libsndfile: neither is reported.
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            block_align = sr = 0
            for _ in range(64):  # a WAV has a handful of chunks; stop on nonsense
                hdr = fh.read(8)
                if len(hdr) < 8:
                    return None
                cid, csize = hdr[:4], struct.unpack("<I", hdr[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(min(csize, 16))
                    if len(fmt) < 16:
                        return None
                    sr = struct.unpack("<I", fmt[4:8])[0]
                    block_align = struct.unpack("<H", fmt[12:14])[0]
                    fh.seek(csize - 16 + (csize & 1), os.SEEK_CUR)
                elif cid == b"data":
                    if csize in (0, 0xFFFFFFFF) or not block_align or not sr:
                        return None
                    present = size - fh.tell()
                    if csize <= present:
                        return None
                    return csize // block_align, max(0, present) // block_align, sr
                else:
                    fh.seek(csize + (csize & 1), os.SEEK_CUR)
    except (OSError, struct.error):
        return None
    return None


def warn_if_damaged(path: str | os.PathLike, frames_read: int | None = None) -> str | None:
    """Warn (:class:`DamagedAudioWarning`) when ``path`` holds less audio than its header promises:
    a WAV cut short, or a file whose decoder stopped after ``frames_read`` of the frames its
    header counts. Returns the message, or None when the file is whole."""
    msg = None
    short = wav_shortfall(path)
    if short is not None:
        promised, present, sr = short
        msg = (
            f"{path}: the file is cut short: its header promises {promised / sr:.2f} s, "
            f"it holds {present / sr:.2f} s; read {present / sr:.2f} s"
        )
    elif frames_read is not None:
        try:
            import soundfile as sf

            info = sf.info(str(path))
        except Exception:  # not a soundfile format: PyAV read it and has no frame count to trust
            return None
        # FLAC's STREAMINFO and a WAV/AIFF data size count frames exactly; an MP3's Xing header
        # (or libsndfile's estimate without one) and Ogg's last granule are near, so a margin.
        exact = info.format in ("FLAC", "WAV", "AIFF", "WAVEX", "W64", "CAF")
        margin = 0 if exact else max(2048, int(0.02 * info.frames))
        if 0 < frames_read < info.frames - margin:
            msg = (
                f"{path}: the file is damaged: read {frames_read / info.samplerate:.2f} s of the "
                f"{info.frames / info.samplerate:.2f} s its header promises"
            )
    if msg:
        warnings.warn(msg, DamagedAudioWarning, stacklevel=3)
    return msg


def _read_soundfile(path: str) -> tuple[np.ndarray, int]:
    import soundfile as sf

    data, sr = sf.read(path, dtype="float32", always_2d=True)
    return data.T.copy(), int(sr)


def pyav_audio_frames(container, path: str | os.PathLike) -> tuple[int, int, Iterator[np.ndarray]]:
    """The first audio stream of an open PyAV ``container``: its sample rate, channel count and
    an iterator of its decoded frames as planar float32 ``(channels, n)`` arrays. Shared by the
    whole-file reader here and the block reader in ``mediascan``."""
    streams = [s for s in container.streams if s.type == "audio"]
    if not streams:
        raise AudioLoadError(f"{path}: the file has no audio track")
    stream = streams[0]
    sr = int(stream.codec_context.sample_rate or stream.rate or 0)
    if not sr:
        raise AudioLoadError(f"{path}: unknown sample rate")
    channels = stream.codec_context.channels or 1
    # Resample to planar float so every codec (aac, opus, pcm_s16, ...) comes out alike.
    import av

    resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout, rate=sr)

    def frames() -> Iterator[np.ndarray]:
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(channels, -1)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(channels, -1)

    return sr, channels, frames()


def _read_pyav(path: str) -> tuple[np.ndarray, int]:
    import av

    with av.open(path) as container:
        sr, channels, frames = pyav_audio_frames(container, path)
        chunks = list(frames)
    if not chunks:
        return np.zeros((channels, 0), np.float32), sr
    return np.concatenate(chunks, axis=1).astype(np.float32), sr


def resample(samples: np.ndarray, orig_sr: int, new_sr: int) -> np.ndarray:
    """Band-limited resampling with torchaudio. ``samples`` is (channels, samples)."""
    if orig_sr == new_sr:
        return samples
    import torch
    import torchaudio.functional as AF

    out = AF.resample(torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32)), orig_sr, new_sr)
    return out.numpy()


def check_input_file(
    path: str | os.PathLike, what: str = "audio file", error: type[Exception] = AudioLoadError
) -> Path:
    """Refuse a missing path, a directory or an empty file with one message naming it."""
    p = Path(path)
    if not p.exists():
        raise error(f"{path}: no such file")
    if p.is_dir():
        raise error(f"{path}: is a directory, not {'an' if what[0] in 'aeiou' else 'a'} {what}")
    if p.stat().st_size == 0:
        raise error(f"{path}: the file is empty (0 bytes)")
    return p


def load_audio(
    path: str | os.PathLike | Audio,
    sample_rate: int | None = None,
    channels: int | None = None,
) -> Audio:
    """Read an audio file (or the audio track of a video) into an :class:`Audio`.

    Parameters
    ----------
    path : file path, or an ``Audio`` (returned as is, after optional conversion)
    sample_rate : resample to this rate (Hz); ``None`` keeps the file's rate
    channels : 1 mixes down to mono; ``None`` keeps the file's channel count

    Raises
    ------
    AudioLoadError
        One message naming the file and the problem; when every reader fails, each
        reader's reason is listed.
    """
    if isinstance(path, Audio):
        audio = path
    else:
        p = check_input_file(path)
        name = _name(path)
        errors: list[str] = []
        samples = sr = None
        readers = (_read_pyav,) if p.suffix.lower() in VIDEO_EXTENSIONS else (_read_soundfile, _read_pyav)
        for reader in readers:
            try:
                samples, sr = reader(str(p))
                break
            except AudioLoadError:
                raise
            except Exception as exc:  # each backend fails in its own way; collect them all
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                errors.append(f"{reader.__name__.removeprefix('_read_')}: {reason}")
        if samples is None:
            raise AudioLoadError(f"{name}: not a readable audio file ({'; '.join(errors)})")
        if not sr:
            raise AudioLoadError(f"{name}: unknown sample rate")
        # A reader may stop early without an error (libsndfile clamps a cut WAV, FFmpeg skips
        # a corrupt FLAC tail): compare with what the header promised and say so.
        warn_if_damaged(p, samples.shape[-1])
        audio = Audio(_check_samples(samples, name), sr, path=name)
    samples, sr = audio.samples, audio.sample_rate
    if channels == 1 and samples.shape[0] > 1:
        samples = samples.mean(axis=0, keepdims=True)
    elif channels is not None and channels != samples.shape[0]:
        if samples.shape[0] == 1:
            samples = np.repeat(samples, channels, axis=0)
        else:
            raise AudioLoadError(f"{audio.path}: cannot convert {samples.shape[0]} channels to {channels}")
    if sample_rate is not None and sample_rate != sr:
        samples, sr = resample(samples, sr, sample_rate), sample_rate
    if samples is audio.samples and sr == audio.sample_rate:
        return audio
    return Audio(samples, sr, path=audio.path)


def _fit_range(samples: np.ndarray, clip: Literal["rescale", "clamp", "none"]) -> np.ndarray:
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak <= 1.0 or clip == "none":
        return samples
    if clip == "rescale":
        return samples / peak
    return np.clip(samples, -1.0, 1.0)


def _encode_pyav(samples: np.ndarray, sr: int, dest: str, fmt: str, bitrate: int) -> None:
    import av

    codec = {"mp3": "libmp3lame"}[fmt]
    channels = samples.shape[0]
    layout = "mono" if channels == 1 else "stereo"
    with av.open(dest, mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=sr)
        stream.layout = layout
        if fmt == "mp3":
            stream.bit_rate = bitrate
        frame_len = 1152
        pts = 0
        for start in range(0, samples.shape[1], frame_len):
            block = np.ascontiguousarray(samples[:, start : start + frame_len], dtype=np.float32)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            frame.sample_rate = sr
            frame.pts = pts
            pts += block.shape[1]
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def save_audio(
    path: str | os.PathLike,
    audio: Audio | np.ndarray,
    sample_rate: int | None = None,
    format: str | None = None,
    clip: Literal["rescale", "clamp", "none"] = "clamp",
    bitrate: int = 192_000,
) -> Path:
    """Write audio atomically (temp file in the same folder, then rename).

    Parameters
    ----------
    path : destination; its extension picks the format unless ``format`` is given
    audio : an ``Audio``, or a (channels, samples) array together with ``sample_rate``
    clip : what to do with samples beyond [-1, 1]. ``"clamp"`` suits audio already limited
        by the mixing ops; ``"rescale"`` scales the whole file down. Integer formats would
        otherwise wrap around.
    bitrate : mp3 bit rate in bit/s

    Returns the destination path.
    """
    if isinstance(audio, Audio):
        samples, sr = audio.samples, audio.sample_rate
    else:
        if sample_rate is None:
            raise ValueError("save_audio needs sample_rate when given an array")
        samples, sr = Audio(audio, sample_rate).samples, int(sample_rate)
    dest = Path(path)
    fmt = (format or dest.suffix.lstrip(".")).lower()
    if fmt == "oga":
        fmt = "ogg"
    if fmt not in SAVE_FORMATS:
        raise AudioSaveError(
            f"{dest}: cannot write format '{fmt or '?'}' (choose one of {', '.join(SAVE_FORMATS)})"
        )
    if samples.shape[1] == 0:
        raise AudioSaveError(f"{dest}: refusing to write zero-length audio")
    if not np.all(np.isfinite(samples)):
        raise AudioSaveError(f"{dest}: audio contains NaN or infinite samples")
    if fmt == "mp3" and samples.shape[0] > 2:
        raise AudioSaveError(f"{dest}: mp3 export supports mono or stereo, not {samples.shape[0]} channels")
    if fmt == "mp3" and sr > MP3_MAX_RATE:
        # MPEG audio stops at 48 kHz (LAME refuses more): resample, to 44.1 kHz for that family.
        new_sr = 44_100 if sr % 44_100 == 0 else MP3_MAX_RATE
        warnings.warn(f"{dest}: mp3 holds at most 48 kHz; written at {new_sr} Hz instead of {sr} Hz", stacklevel=2)
        samples, sr = resample(samples, sr, new_sr), new_sr
    samples = _fit_range(samples, clip)
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise AudioSaveError(f"{dest}: the folder {parent} does not exist")
    try:
        with atomic_path(dest, suffix=f".part.{fmt}") as tmp:
            if fmt in ("wav", "flac", "ogg"):
                import soundfile as sf

                # Float wav when the caller keeps out-of-range values (workspace versions);
                # 24-bit otherwise; Vorbis for ogg (libsndfile ships it).
                subtype = {"wav": "FLOAT" if clip == "none" else "PCM_24", "flac": "PCM_24", "ogg": "VORBIS"}[
                    fmt
                ]
                sf.write(tmp, samples.T, sr, format=fmt.upper(), subtype=subtype)
            else:
                _encode_pyav(samples, sr, tmp, fmt, bitrate)
    except AudioSaveError:
        raise
    except OSError as exc:  # read-only folder, disk full ...: the OS's reason, not its repr
        raise AudioSaveError(f"{dest}: could not write {fmt}: {exc.strerror or exc}") from exc
    except Exception as exc:
        raise AudioSaveError(f"{dest}: could not write {fmt}: {exc}") from exc
    return dest
