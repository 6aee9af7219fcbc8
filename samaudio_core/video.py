"""Video side of the visual prompt: decode frames, build the region, measure its activity, re-mux.

Frames are decoded with PyAV (FFmpeg in its wheel) using frame threading, at a reduced
frame rate (default 15 fps) and reformatted by FFmpeg to a small grey image (default 160 px
wide), which keeps one minute of 720p30 video to a couple of seconds on two cores. From
consecutive frames we keep only a *motion map*: the absolute frame difference, after
removing each frame's median change (global flicker and exposure steps), pooled into 2x2
cells. A region (box, clicked points, a still mask image or a mask video) becomes a weight
per cell; its activity over time is the mean motion inside minus the median motion outside,
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
from .audio import Audio, check_input_file, resample
from .errors import AudioSaveError, PromptError
from .prompts import MaskPrompt

log = logging.getLogger(__name__)

#: Width (px) frames are analysed at; height follows the aspect ratio.
ANALYSIS_WIDTH = 160
#: Frame rate (Hz) frames are analysed at; videos with fewer frames keep their own rate.
ANALYSIS_FPS = 15.0
#: Side (analysis px) of the square cells motion is pooled into.
CELL = 2
#: Radius of the region around a clicked point, as a fraction of the frame's smaller side.
POINT_RADIUS = 0.12
#: How far (fraction of the frame side) a box may stick out of the frame before it is refused
#: rather than clipped: a hand-drawn box often overshoots the edge a little.
BOX_SLACK = 0.02
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


def _open(path: str):
    import av

    p = check_input_file(path, what="video file", error=PromptError)
    try:
        return av.open(str(p))
    except Exception as exc:  # FFmpeg reports unreadable containers in many ways
        raise PromptError(f"{path}: cannot read as a video ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _video_stream(container, path: str):
    streams = [s for s in container.streams if s.type == "video"]
    if not streams:
        raise PromptError(f"{path}: the file has no video stream")
    stream = streams[0]
    if stream.codec_context is None:
        raise PromptError(f"{path}: the video codec is not supported by this FFmpeg build")
    return stream


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
    container = _open(path)
    with container:
        stream = _video_stream(container, path)
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
                f"{path}: cannot decode the video stream (codec {codec}): {_reason(exc)}"
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


def _to_pixels(values: Sequence[float], width: int, height: int) -> list[float]:
    """Coordinates as (x, y, x, y, ...) in the video's pixels.

    Fractions of width/height when all lie in [0, 1], pixels otherwise, as ``MaskPrompt``
    says; values that are all within 2 (e.g. ``1.5``) are also read as fractions, since a region
    a pixel or two wide is never meant and "outside the frame" is the helpful answer there.
    """
    vals = [float(v) for v in values]
    if any(not np.isfinite(v) for v in vals):
        raise PromptError(f"region coordinates {tuple(vals)} are not finite numbers")
    if all(abs(v) <= 2.0 for v in vals):
        return [v * (width if i % 2 == 0 else height) for i, v in enumerate(vals)]
    return vals


def _box_pixels(box: Sequence[float], width: int, height: int) -> tuple[float, float, float, float]:
    if len(box) != 4:
        raise PromptError(f"a box needs four numbers x0,y0,x1,y1, got {tuple(box)}")
    x0, y0, x1, y1 = _to_pixels(box, width, height)
    if x1 <= x0 or y1 <= y0:
        raise PromptError(f"box {tuple(box)}: x1 must exceed x0 and y1 must exceed y0")
    sx, sy = BOX_SLACK * width, BOX_SLACK * height
    if x0 < -sx or y0 < -sy or x1 > width + sx or y1 > height + sy:
        raise PromptError(
            f"box {tuple(box)} lies outside the {width}x{height} frame "
            "(give fractions of width/height in 0..1, or pixels inside the frame)"
        )
    return max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)


def _cell_centres(vm: VideoMotion) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the motion cells in the video's own pixels: (rows,), (cols,)."""
    rows, cols = vm.grid
    return (np.arange(rows) + 0.5) * vm.height / rows, (np.arange(cols) + 0.5) * vm.width / cols


def box_weights(vm: VideoMotion, box: Sequence[float]) -> np.ndarray:
    """(rows, cols) weights in [0, 1]: the fraction of each cell the box covers."""
    x0, y0, x1, y1 = _box_pixels(box, vm.width, vm.height)
    rows, cols = vm.grid
    ch, cw = vm.height / rows, vm.width / cols
    ey = np.clip(
        (np.minimum((np.arange(rows) + 1) * ch, y1) - np.maximum(np.arange(rows) * ch, y0)) / ch, 0, 1
    )
    ex = np.clip(
        (np.minimum((np.arange(cols) + 1) * cw, x1) - np.maximum(np.arange(cols) * cw, x0)) / cw, 0, 1
    )
    return (ey[:, None] * ex[None, :]).astype(np.float32)


def point_weights(
    vm: VideoMotion, points: Sequence[Sequence[float]], radius: float = POINT_RADIUS
) -> np.ndarray:
    """(rows, cols) weights: discs of ``radius`` x the smaller frame side around each click."""
    if not points:
        raise PromptError("give at least one point x,y")
    cy, cx = _cell_centres(vm)
    r = radius * min(vm.width, vm.height)
    out = np.zeros(vm.grid, np.float32)
    for pt in points:
        if len(pt) != 2:
            raise PromptError(f"a point needs two numbers x,y, got {tuple(pt)}")
        x, y = _to_pixels(pt, vm.width, vm.height)
        if not (0 <= x <= vm.width and 0 <= y <= vm.height):
            raise PromptError(f"point {tuple(pt)} lies outside the {vm.width}x{vm.height} frame")
        out[((cy[:, None] - y) ** 2 + (cx[None, :] - x) ** 2) <= r * r] = 1.0
        # A click always selects at least the cell it falls in, however small the radius.
        out[
            min(int(y / vm.height * vm.grid[0]), vm.grid[0] - 1),
            min(int(x / vm.width * vm.grid[1]), vm.grid[1] - 1),
        ] = 1
    return out


def _pool(binary: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Fraction of each of rows x cols blocks that is set, for any (h, w) boolean image."""
    h, w = binary.shape
    ry = np.linspace(0, h, rows + 1).astype(int)[:-1]
    rx = np.linspace(0, w, cols + 1).astype(int)[:-1]
    sums = np.add.reduceat(np.add.reduceat(binary.astype(np.float32), ry, axis=0), rx, axis=1)
    sizes = np.outer(np.diff(np.append(ry, h)), np.diff(np.append(rx, w)))
    return (sums / np.maximum(sizes, 1)).astype(np.float32)


def image_weights(vm: VideoMotion, path: str | os.PathLike) -> np.ndarray:
    """Weights from a mask image (one for every frame) or a mask video (one per frame).

    Non-zero pixels are inside (for lossy masks: brighter than halfway between the darkest and
    brightest value). Returns (rows, cols) for a still mask, (T, rows, cols) for a mask video,
    aligned with ``vm.times`` by nearest timestamp.
    """
    path = str(path)
    container = _open(path)
    pictures: list[np.ndarray] = []
    stamps: list[float] = []
    with container:
        stream = _video_stream(container, path)
        try:
            for frame in container.decode(stream):
                pictures.append(frame.to_ndarray(format="gray"))
                stamps.append(float(frame.time) if frame.time is not None else len(stamps))
        except Exception as exc:
            raise PromptError(f"{path}: cannot decode the mask ({_reason(exc)})") from exc
    if not pictures:
        raise PromptError(f"{path}: the mask holds no image")
    mh, mw = pictures[0].shape
    if abs(mw / mh - vm.width / vm.height) > 0.02 * vm.width / vm.height:
        raise PromptError(
            f"{path}: the mask is {mw}x{mh} but the video is {vm.width}x{vm.height} (aspect ratios differ)"
        )
    lo = min(float(p.min()) for p in pictures)
    hi = max(float(p.max()) for p in pictures)
    if hi <= 0:
        raise PromptError(f"{path}: the mask is empty (no non-zero pixel)")
    threshold = (lo + hi) / 2 if hi > lo else 0.0
    rows, cols = vm.grid
    weights = np.stack([_pool(p > threshold, rows, cols) for p in pictures])
    if weights.max() <= 0:
        raise PromptError(f"{path}: the mask is empty (no pixel inside)")
    if len(pictures) == 1:
        return weights[0]
    idx = np.clip(np.searchsorted(np.asarray(stamps), vm.times), 0, len(stamps) - 1)
    return weights[idx]


def region_weights(vm: VideoMotion, mask: MaskPrompt) -> np.ndarray:
    """The region a ``MaskPrompt`` names, as cell weights ((rows, cols) or (T, rows, cols))."""
    given = [x is not None for x in (mask.box, mask.points, mask.image)]
    if sum(given) == 0:
        raise PromptError("a visual prompt needs a box, points or a mask image")
    if sum(given) > 1:
        raise PromptError("give only one of box, points or mask image for a visual prompt")
    if mask.box is not None:
        weights = box_weights(vm, mask.box)
    elif mask.points is not None:
        weights = point_weights(vm, mask.points)
    else:
        weights = image_weights(vm, mask.image)
    if weights.max() <= 0:
        raise PromptError("the visual region is empty")
    return weights


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
            src = _open(str(video_path))
            with (
                src,
                av.open(tmp, mode="w", format={".mkv": "matroska", ".mov": "mov"}.get(ext, ext[1:])) as out,
            ):
                vin = _video_stream(src, str(video_path))
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
        raise AudioSaveError(f"{dest}: could not write the video: {_reason(exc)}") from exc
    return dest


def video_duration(path: str | os.PathLike) -> float:
    """Duration (s) of the video stream of ``path`` without decoding it."""
    container = _open(str(path))
    with container:
        stream = _video_stream(container, str(path))
        fps = float(stream.average_rate or 30)
        return _duration(container, stream, 0.0, fps)
