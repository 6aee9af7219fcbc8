"""Video side of the visual prompt: decode frames, build the region, measure its activity, re-mux.

Frames are decoded with PyAV (FFmpeg in its wheel) using frame threading, at a reduced
frame rate (default 15 fps) and reformatted by FFmpeg to a small grey image (default 160 px
wide), which keeps one minute of 720p30 video to a couple of seconds on two cores. From
consecutive frames we keep only a *motion map*: the absolute frame difference, after
removing each frame's median change (global flicker and exposure steps), pooled into 2x2
cells. A region (box, clicked points, a still mask image or a mask video) becomes a weight
per cell (read as :mod:`samaudio_core.mask_pixels` says, as for every engine); its activity over time is the mean motion inside minus the median motion outside,
so sensor noise, camera shake and lighting changes that hit the whole frame do not count.
``remux`` writes the video with a new audio track, stream-copying the picture where the
container allows it, atomically.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .audio import Audio, resample
from .errors import AudioSaveError, PromptError
from .mask_pixels import box_cells, image_cells, point_cells, region_cells
from .prompts import MaskPrompt
from .video_io import failure_reason, open_video, video_stream

log = logging.getLogger(__name__)

#: Width (px) frames are analysed at; height follows the aspect ratio.
ANALYSIS_WIDTH = 160
#: Frame rate (Hz) frames are analysed at; videos with fewer frames keep their own rate.
ANALYSIS_FPS = 15.0
#: Side (analysis px) of the square cells motion is pooled into.
CELL = 2
#: Containers ``remux`` writes, with the audio codec each gets and the video codecs it accepts
#: as a stream copy (anything else is re-encoded).
REMUX_FORMATS = {
    ".mp4": ("aac", {"h264", "hevc", "mpeg4", "av1", "vp9"}, "libx264"),
    ".mov": ("aac", {"h264", "hevc", "mpeg4", "prores", "mjpeg", "png"}, "libx264"),
    ".mkv": ("aac", None, "libx264"),  # Matroska carries any codec
    ".webm": ("libopus", {"vp8", "vp9", "av1"}, "libvpx-vp9"),
}


@dataclass
class VideoMotion:
    """What the analysis keeps of a video.

    Attributes
    ----------
    path : the video file
    width, height : the video's own frame size (px); box and point coordinates refer to it
    duration : seconds
    times : (T,) seconds; each entry is the midpoint of the two frames compared
    motion : float16 (T, rows, cols) mean absolute change per cell, grey levels 0..255
        (half precision: ~6 MB per minute at the default size and rate)
    analysis_size : (width, height) of the decoded grey frames
    """

    path: str
    width: int
    height: int
    duration: float
    times: np.ndarray
    motion: np.ndarray
    analysis_size: tuple[int, int]

    @property
    def grid(self) -> tuple[int, int]:
        """(rows, cols) of the motion cells."""
        return int(self.motion.shape[1]), int(self.motion.shape[2])


def _duration(container, stream, last_time: float, fps: float) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1e6
    return last_time + 1.0 / max(fps, 1.0)


def analyse_video(
    path: str | os.PathLike, width: int = ANALYSIS_WIDTH, fps: float = ANALYSIS_FPS
) -> VideoMotion:
    """Decode ``path`` at reduced size and rate and return its motion map.

    Parameters
    ----------
    width : analysis width in px (the height keeps the aspect ratio, rounded to even)
    fps : analysis frame rate; frames in between are decoded (inter-frame codecs need them)
        but not converted

    Raises
    ------
    PromptError
        The file is missing, not a video, has no video stream, uses a codec this FFmpeg
        cannot decode, or holds fewer than two frames.
    """
    path = str(path)
    container = open_video(path)
    with container:
        stream = video_stream(container, path)
        stream.thread_type = "AUTO"  # frame + slice threads: the decode is the dominant cost
        src_w, src_h = int(stream.codec_context.width or 0), int(stream.codec_context.height or 0)
        native_fps = float(stream.average_rate or stream.guessed_rate or 30)
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        motion: list[np.ndarray] = []
        prev: np.ndarray | None = None
        stamps: list[float] = []
        step = 1.0 / min(fps, native_fps) if fps > 0 else 0.0
        next_t = -1e9
        aw = ah = 0
        try:
            for frame in container.decode(stream):
                t = (float(frame.time) if frame.time is not None else len(stamps) / native_fps) - start
                # Keep a frame once the analysis clock has moved on (1 ms tolerance for jitter).
                if t + 1e-3 < next_t + step:
                    continue
                next_t = t
                if not aw:
                    src_w, src_h = src_w or frame.width, src_h or frame.height
                    aw = min(width, src_w) // CELL * CELL
                    ah = max(CELL, int(round(src_h * aw / src_w / CELL)) * CELL)
                grey = frame.to_ndarray(width=aw, height=ah, format="gray").astype(np.float32)
                if prev is not None:  # motion is computed as frames arrive: nothing else is kept
                    motion.append(_cell_motion(prev, grey))
                prev = grey
                stamps.append(t)
        except PromptError:
            raise
        except Exception as exc:
            codec = getattr(stream.codec_context, "name", "?")
            raise PromptError(
                f"{path}: cannot decode the video stream (codec {codec}): {failure_reason(exc)}"
            ) from exc
        if not motion:
            raise PromptError(f"{path}: the video holds fewer than two decodable frames")
        duration = _duration(container, stream, stamps[-1], native_fps)
    times = np.asarray(stamps)
    return VideoMotion(path, src_w, src_h, duration, (times[1:] + times[:-1]) / 2, np.stack(motion), (aw, ah))


def _cell_motion(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Two (h, w) grey frames -> (h/CELL, w/CELL) pooled absolute change, float16."""
    d = cur - prev
    # A global exposure or flicker step shifts every pixel alike: remove it before |.|.
    d = np.abs(d - np.median(d))
    rows, cols = d.shape[0] // CELL, d.shape[1] // CELL
    return d.reshape(rows, CELL, cols, CELL).mean(axis=(1, 3)).astype(np.float16)


# ---------------------------------------------------------------------------- regions


def box_weights(vm: VideoMotion, box: Sequence[float]) -> np.ndarray:
    """(rows, cols) weights in [0, 1]: the fraction of each motion cell the box covers."""
    return box_cells(box, vm.width, vm.height, vm.grid)


def point_weights(vm: VideoMotion, points: Sequence[Sequence[float]]) -> np.ndarray:
    """(rows, cols) weights: discs of ``POINT_RADIUS`` x the smaller frame side around each click."""
    return point_cells(points, vm.width, vm.height, vm.grid)


def image_weights(vm: VideoMotion, path: str | os.PathLike) -> np.ndarray:
    """Weights from a mask image, (rows, cols), or a mask video, (T, rows, cols) aligned with
    ``vm.times`` (see :mod:`samaudio_core.mask_pixels` for what counts as inside)."""
    return image_cells(path, vm.width, vm.height, vm.grid, vm.times)


def region_weights(vm: VideoMotion, mask: MaskPrompt) -> np.ndarray:
    """The region a ``MaskPrompt`` names, as motion-cell weights ((rows, cols) or (T, rows, cols))."""
    return region_cells(mask, vm.width, vm.height, vm.grid, vm.times)


def region_activity(vm: VideoMotion, weights: np.ndarray) -> np.ndarray:
    """Visual activity of the region over time, shape (T,) aligned with ``vm.times``.

    Mean motion inside (weighted) minus the median motion outside, floored at 0. The median
    outside is the level of whatever moves everywhere (sensor noise, shake, flicker); being a
    median, a distractor moving elsewhere in the frame barely shifts it. A region that covers
    the whole frame has no outside and keeps its raw motion.
    """
    m = vm.motion
    act = np.zeros(m.shape[0], np.float32)
    for a in range(0, m.shape[0], 256):  # chunks bound the float32 temporaries on long videos
        mc = m[a : a + 256].astype(np.float32).reshape(-1, m.shape[1] * m.shape[2])
        wc = weights[a : a + 256] if weights.ndim == 3 else np.broadcast_to(weights, m[a : a + 256].shape)
        wc = wc.reshape(mc.shape)
        wsum = wc.sum(axis=1)
        inside = (mc * wc).sum(axis=1) / np.maximum(wsum, 1e-6)
        outside = np.array(
            [np.median(row[wrow <= 0]) if (wrow <= 0).any() else 0.0 for row, wrow in zip(mc, wc)]
        )
        act[a : a + len(mc)] = np.where(wsum > 0, np.maximum(inside - outside, 0.0), 0.0)
    return act


# ---------------------------------------------------------------------------- remux


def _audio_frames(samples: np.ndarray, sr: int, layout: str, block: int = 4096):
    import av

    for start in range(0, samples.shape[1], block):
        chunk = np.ascontiguousarray(samples[:, start : start + block], dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
        frame.sample_rate = sr
        frame.pts = start
        yield frame


def remux(video_path: str | os.PathLike, audio: Audio, out_path: str | os.PathLike) -> Path:
    """Write ``video_path``'s picture with ``audio`` as its only sound track to ``out_path``.

    The container follows ``out_path``'s extension (.mp4, .mov, .mkv, .webm). The video is
    stream-copied when that container accepts its codec, else re-encoded (H.264, or VP9 for
    WebM); the audio is encoded as AAC (Opus for WebM, at 48 kHz). Written to a temporary file
    beside the destination and renamed, so a failure leaves nothing behind.

    Raises
    ------
    AudioSaveError
        Unknown container, more than two channels, missing folder, or an encoder failure.
    PromptError
        The source video cannot be read.
    """
    import av

    dest = Path(out_path)
    ext = dest.suffix.lower()
    if ext not in REMUX_FORMATS:
        raise AudioSaveError(
            f"{dest}: cannot write video as '{ext or '?'}' (choose one of {', '.join(REMUX_FORMATS)})"
        )
    if audio.channels > 2:
        raise AudioSaveError(
            f"{dest}: video export supports mono or stereo audio, not {audio.channels} channels"
        )
    if audio.num_samples == 0 or not np.all(np.isfinite(audio.samples)):
        raise AudioSaveError(f"{dest}: refusing to write empty or non-finite audio")
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise AudioSaveError(f"{dest}: the folder {parent} does not exist")
    acodec, copyable, vcodec = REMUX_FORMATS[ext]
    samples, sr = np.clip(audio.samples, -1.0, 1.0), audio.sample_rate
    if acodec == "libopus" and sr not in (8000, 12000, 16000, 24000, 48000):
        samples, sr = resample(samples, sr, 48000), 48000
    layout = "mono" if samples.shape[0] == 1 else "stereo"

    try:
        with atomic_path(dest, suffix=f".part{ext}") as tmp:
            src = open_video(str(video_path))
            with (
                src,
                av.open(tmp, mode="w", format={".mkv": "matroska", ".mov": "mov"}.get(ext, ext[1:])) as out,
            ):
                vin = video_stream(src, str(video_path))
                copy = copyable is None or vin.codec_context.name in copyable
                if copy:
                    vout = out.add_stream_from_template(vin)
                else:
                    vin.thread_type = "AUTO"
                    rate = vin.average_rate or 30
                    vout = out.add_stream(vcodec, rate=rate)
                    vout.width, vout.height, vout.pix_fmt = (
                        vin.codec_context.width,
                        vin.codec_context.height,
                        "yuv420p",
                    )
                    vout.options = (
                        {"preset": "veryfast"}
                        if vcodec == "libx264"
                        else {"deadline": "realtime", "cpu-used": "8"}
                    )
                aout = out.add_stream(acodec, rate=sr)
                aout.layout = layout
                audio_frames = _audio_frames(samples, sr, layout)
                audio_done = 0.0  # seconds of audio muxed so far

                def audio_until(seconds: float) -> None:
                    # Interleave: keep the sound about as far along as the picture, so players and
                    # the muxer never have to buffer one whole stream.
                    nonlocal audio_done
                    while audio_done < seconds:
                        frame = next(audio_frames, None)
                        if frame is None:
                            audio_done = float("inf")
                            out.mux(aout.encode(None))
                            return
                        out.mux(aout.encode(frame))
                        audio_done = (frame.pts + frame.samples) / sr

                if copy:
                    for packet in src.demux(vin):
                        if packet.dts is None:  # the demuxer's end-of-stream marker
                            continue
                        if packet.pts is not None and packet.time_base:
                            audio_until(float(packet.pts * packet.time_base) + 0.5)
                        packet.stream = vout
                        out.mux(packet)
                else:
                    from fractions import Fraction

                    frame_time = 1 / Fraction(rate)
                    for i, frame in enumerate(src.decode(vin)):
                        audio_until(float(i * frame_time) + 0.5)
                        # Re-number frames at a constant rate; the muxer rescales to its own time base.
                        frame.pts, frame.time_base = i, frame_time
                        out.mux(vout.encode(frame))
                    out.mux(vout.encode(None))
                audio_until(float("inf"))
    except (AudioSaveError, PromptError):
        raise
    except Exception as exc:
        raise AudioSaveError(f"{dest}: could not write the video: {failure_reason(exc)}") from exc
    return dest


def video_duration(path: str | os.PathLike) -> float:
    """Duration (s) of the video stream of ``path`` without decoding it."""
    container = open_video(str(path))
    with container:
        stream = video_stream(container, str(path))
        fps = float(stream.average_rate or 30)
        return _duration(container, stream, 0.0, fps)
