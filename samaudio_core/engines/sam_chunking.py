"""Pure signal logic around SAM Audio: its 48 kHz mono world, chunks, anchors, masks and gates.

SAM Audio takes and returns 48 kHz mono, padded up to whole 40 ms hops (1920 samples), and
one pass over a long file runs out of memory (or is capped near 400 s). Everything here is
model-free numpy so it can be tested on its own: resampling in and out with trimming to the
input length; stereo by one pass on the mid channel whose result is projected back onto each
channel with a ratio mask (keeps the stereo image and needs one model pass, see
:func:`project_to_channels`); planning hop-aligned chunks that overlap and stitching them
with complementary raised-cosine crossfades (both by the toolkit's one block runner,
:mod:`samaudio_core.blocks`); turning span prompts into SAM's ``("+"|"-",
start, end)`` anchors relative to a chunk; deciding which chunks cannot contain the target
(so they come back silent instead of invented audio); and turning a ``MaskPrompt`` (box,
points or mask image over a video) into per-frame RGB frames and object masks (read by
:mod:`samaudio_core.mask_pixels`, as for the built-in engine).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..audio import resample
from ..blocks import Block, plan_blocks
from ..blocks import stitch as stitch  # re-exported: SAM's chunks are stitched by the one runner
from ..errors import PromptError
from ..mask_pixels import region_cells
from ..prompts import MaskPrompt, Span

#: SAM Audio's codec rate (Hz); every input is resampled to it and every output back from it.
SAM_RATE = 48_000
#: Codec hop (samples at 48 kHz) = 40 ms; outputs are padded to a multiple of it and anchors
#: are resolved to it, so chunk edges are placed on it too.
SAM_HOP = 1920


# --- rates and lengths -----------------------------------------------------------------------


def to_model_rate(mono: np.ndarray, sample_rate: int) -> np.ndarray:
    """Resample a mono signal (samples,) to 48 kHz, float32."""
    x = np.asarray(mono, np.float32)
    return resample(x[None, :], sample_rate, SAM_RATE)[0].astype(np.float32)


def fit_length(x: np.ndarray, n: int) -> np.ndarray:
    """Trim (SAM pads to whole hops) or zero-pad the last axis to exactly ``n`` samples."""
    if x.shape[-1] >= n:
        return x[..., :n]
    pad = [(0, 0)] * (x.ndim - 1) + [(0, n - x.shape[-1])]
    return np.pad(x, pad)


def from_model_rate(y: np.ndarray, sample_rate: int, n: int) -> np.ndarray:
    """Resample a 48 kHz mono signal back to ``sample_rate`` and fit it to ``n`` samples."""
    out = resample(np.asarray(y, np.float32)[None, :], SAM_RATE, sample_rate)[0]
    return fit_length(out.astype(np.float32), n)


# --- stereo --------------------------------------------------------------------------------


def mid(samples: np.ndarray) -> np.ndarray:
    """Mid (mean of channels) of a (channels, samples) array, shape (samples,)."""
    return np.asarray(samples, np.float32).mean(axis=0)


def project_to_channels(
    channels: np.ndarray,
    target_mid: np.ndarray,
    residual_mid: np.ndarray,
    n_fft: int = 2048,
    hop: int = 512,
) -> tuple[np.ndarray, np.ndarray]:
    """Carry a separation of the mid channel over to every channel with one ratio mask.

    The mask is ``|T|^2 / (|T|^2 + |R|^2)`` per time-frequency bin of SAM's mid outputs (a
    Wiener-style ratio: SAM's outputs are generated, not masked, so their phases need not
    match the mixture's, but their magnitudes say where the target's energy is). Applied to
    each channel's STFT it keeps each channel's stereo placement, and target + residual
    equals each input channel exactly. Shapes: ``channels`` (C, n); mids (n,).
    """
    from scipy.signal import istft, stft

    n = channels.shape[1]
    kw = {"nperseg": n_fft, "noverlap": n_fft - hop, "window": "hann"}
    _, _, t_spec = stft(target_mid, **kw)
    _, _, r_spec = stft(residual_mid, **kw)
    pt, pr = np.abs(t_spec) ** 2, np.abs(r_spec) ** 2
    mask = pt / (pt + pr + 1e-12)
    targets = []
    for ch in channels:
        _, _, spec = stft(ch, **kw)
        _, y = istft(spec * mask, **kw)
        targets.append(fit_length(y.astype(np.float32), n))
    target = np.stack(targets).astype(np.float32)
    return target, (channels - target).astype(np.float32)


# --- chunks --------------------------------------------------------------------------------


def plan_chunks(n: int, chunk: int, overlap: int, hop: int = SAM_HOP) -> list[Block]:
    """Cover ``n`` samples with chunks of at most ``chunk`` samples overlapping by >= ``overlap``.

    The toolkit's block planner (:func:`samaudio_core.blocks.plan_blocks`) with SAM's choices:
    chunk starts fall on ``hop`` multiples so anchors map to whole codec frames in every chunk;
    chunks are spread evenly (equal overlaps) rather than leaving a short last chunk, since a
    1 s tail would give the model too little context; and neighbours crossfade over their
    whole overlap (two generated estimates of the same source blend best slowly). Stitch the
    per-chunk outputs with :func:`samaudio_core.blocks.stitch`.
    """
    return plan_blocks(n, chunk, overlap, align=hop)


# --- anchors and gates ---------------------------------------------------------------------


def _clip_spans(spans: Sequence[Span], t0: float, t1: float) -> list[Span]:
    """Spans intersected with [t0, t1), shifted to start at t0; empty pieces dropped."""
    out = []
    for a, b in spans:
        a, b = max(float(a), t0), min(float(b), t1)
        if b > a:
            out.append((a - t0, b - t0))
    return out


def build_anchors(
    spans: Sequence[Span], absent: Sequence[Span], t0: float = 0.0, t1: float = float("inf")
) -> list[list]:
    """SAM's anchors for the chunk [t0, t1) s: ``["+", s, e]`` where the target is audible,
    ``["-", s, e]`` where it is absent, in seconds from the chunk start, sorted by start.
    An empty list means "no anchors" (the caller passes ``anchors=None``)."""
    out = [["+", a, b] for a, b in _clip_spans(spans, t0, t1)]
    out += [["-", a, b] for a, b in _clip_spans(absent, t0, t1)]
    return sorted(out, key=lambda x: (x[1], x[2]))


def covered(spans: Sequence[Span], t0: float, t1: float, tol: float = 1e-6) -> bool:
    """Whether the union of ``spans`` covers all of [t0, t1)."""
    pos = t0
    for a, b in sorted((float(a), float(b)) for a, b in spans):
        if a > pos + tol:
            break
        pos = max(pos, b)
        if pos >= t1 - tol:
            return True
    return pos >= t1 - tol


def overlaps(spans: Sequence[Span], t0: float, t1: float) -> bool:
    """Whether any span intersects [t0, t1)."""
    return any(min(float(b), t1) > max(float(a), t0) for a, b in spans)


def absent_gain(n: int, sample_rate: int, absent: Sequence[Span], ramp_s: float = 0.02) -> np.ndarray:
    """A gain curve (n,) that is 0 inside the ``absent`` spans and 1 elsewhere, with
    ``ramp_s`` raised-cosine edges (inside the spans) so the gate does not click."""
    g = np.ones(n, np.float32)
    ramp = max(1, int(ramp_s * sample_rate))
    for a, b in absent:
        i, j = max(0, int(round(a * sample_rate))), min(n, int(round(b * sample_rate)))
        if j <= i:
            continue
        g[i:j] = 0.0
        r = min(ramp, (j - i) // 2)
        if r > 0:
            edge = (0.5 + 0.5 * np.cos(np.pi * (np.arange(r) + 0.5) / r)).astype(np.float32)
            if i > 0:
                g[i : i + r] = np.minimum(g[i : i + r] + edge, 1.0)
            if j < n:
                g[j - r : j] = np.minimum(g[j - r : j] + edge[::-1], 1.0)
    return g


def gate_reason(
    t0: float,
    t1: float,
    spans: Sequence[Span],
    absent: Sequence[Span],
    detected: Sequence[Span] | None,
) -> str | None:
    """Why the chunk [t0, t1) s must come back silent, or None when it should be separated.

    Silent when the user said the target is absent over the whole chunk, or when a detector
    ran (``detected`` is not None), found no activity in the chunk, and the user gave no
    "+" span there (the user's word beats the detector's)."""
    if absent and covered(absent, t0, t1):
        return "absent span covers the chunk"
    if detected is not None and not overlaps(detected, t0, t1) and not overlaps(spans, t0, t1):
        return "no target activity detected in the chunk"
    return None


# --- visual prompts ------------------------------------------------------------------------


@dataclass
class VideoFrames:
    """Decoded frames: ``frames`` uint8 (N, 3, H, W), ``times`` (N,) seconds of each frame,
    ``source_size`` the video's own (width, height) in pixels, which pixel prompts refer to."""

    frames: np.ndarray
    times: np.ndarray
    source_size: tuple[int, int] | None = None


def read_video(path: str, max_side: int = 336, fps: float = SAM_RATE / SAM_HOP) -> VideoFrames:
    """Decode a video's frames with PyAV, at most ``fps`` frames a second and ``max_side``
    pixels on the long side. SAM's vision encoder resizes to 336x336 and uses one frame per
    40 ms codec hop (25 fps), so more pixels or frames would only cost memory."""
    import av

    frames, times = [], []
    size = None
    last = -np.inf
    try:
        with av.open(str(path)) as container:
            streams = [s for s in container.streams if s.type == "video"]
            if not streams:
                raise PromptError(f"{path}: no video track for the visual prompt")
            stream = streams[0]
            for frame in container.decode(stream):
                t = float(frame.time) if frame.time is not None else len(times) / fps
                if t - last < 1.0 / fps - 1e-6:
                    continue
                last = t
                w, h = frame.width, frame.height
                size = size or (w, h)
                scale = min(1.0, max_side / max(w, h))
                w2, h2 = max(2, int(round(w * scale))), max(2, int(round(h * scale)))
                rgb = frame.to_ndarray(format="rgb24", width=w2, height=h2)
                frames.append(rgb.transpose(2, 0, 1))
                times.append(t)
    except PromptError:
        raise
    except Exception as exc:
        raise PromptError(f"{path}: cannot read the video for the visual prompt ({exc})") from exc
    if not frames:
        raise PromptError(f"{path}: the video has no frames")
    return VideoFrames(np.stack(frames).astype(np.uint8), np.asarray(times, np.float64), size)


def object_masks(
    prompt: MaskPrompt,
    n_frames: int,
    height: int,
    width: int,
    *,
    source_size: tuple[int, int] | None = None,
    times: np.ndarray | None = None,
) -> np.ndarray:
    """The object (the region the user points at) as a bool array (N, 1, H, W), True inside.

    The region is read by :func:`samaudio_core.mask_pixels.region_cells`, as for the built-in
    engine: ``box`` and ``points`` are fractions of the frame or pixels of the video's own
    size ``source_size`` (width, height; default the H x W raster itself), a click marks a
    disc, and a mask image or video is thresholded once. A pixel of the H x W raster is
    inside when any part of it is. A mask video is aligned to the frames' ``times`` (s), or
    stretched over the ``n_frames`` frames when no times are given."""
    sw, sh = source_size or (width, height)
    cells = region_cells(prompt, sw, sh, (height, width), times) > 0
    if cells.ndim == 3 and len(cells) != n_frames:
        cells = cells[np.linspace(0, len(cells) - 1, n_frames).round().astype(int)]
    return np.broadcast_to(cells.reshape(-1, 1, height, width), (n_frames, 1, height, width)).copy()


def frames_for_chunk(
    video: VideoFrames, masks: np.ndarray, t0: float, t1: float
) -> tuple[np.ndarray, np.ndarray]:
    """Frames and masks whose times fall in [t0, t1) s (at least the frame nearest t0)."""
    idx = np.nonzero((video.times >= t0 - 1e-6) & (video.times < t1))[0]
    if len(idx) == 0:
        idx = np.array([int(np.argmin(np.abs(video.times - t0)))])
    return video.frames[idx], masks[idx]
