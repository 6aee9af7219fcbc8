"""Chunked processing in bounded memory, with click-free joins.

The input is cut into blocks of ``block_s`` seconds. Each block is processed with
``context_s`` of extra audio on both sides (so STFT edges and running estimates never
reach the output), and neighbouring blocks' targets are cross-faded over ``fade_s`` with
complementary sin² ramps. The residual is always input − target, so the cross-fade keeps
reconstruction exact and no join can click in either stem. Blocks are produced in order,
so the same loop fills arrays in memory or streams to files (:func:`separate_file`): memory
holds one block plus its context, whatever the input's length.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..errors import AudioSaveError

BLOCK_S = 30.0
CONTEXT_S = 1.0
FADE_S = 0.5

#: fn(segment (channels, samples), absolute start sample) -> target of the same shape
TargetFn = Callable[[np.ndarray, int], np.ndarray]
#: read(start_sample, end_sample) -> (channels, samples)
ReadFn = Callable[[int, int], np.ndarray]


def _ramps(n: int) -> tuple[np.ndarray, np.ndarray]:
    rise = np.sin(0.5 * np.pi * (np.arange(n) + 0.5) / n) ** 2
    return rise.astype(np.float32), (1.0 - rise).astype(np.float32)


def block_bounds(n_samples: int, sample_rate: int, block_s: float = BLOCK_S) -> list[int]:
    """Sample positions of the joins between blocks (empty: one block)."""
    block = max(1, int(block_s * sample_rate))
    fade = int(FADE_S * sample_rate)
    joins = list(range(block, n_samples, block))
    # A last block shorter than a fade would leave its ramp hanging off the end: merge it.
    while joins and n_samples - joins[-1] < 2 * fade:
        joins.pop()
    return joins


def iter_target(
    n_samples: int,
    sample_rate: int,
    read: ReadFn,
    fn: TargetFn,
    block_s: float = BLOCK_S,
    progress: bool = False,
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield (start, input piece, target piece) covering [0, n_samples) in order."""
    joins = block_bounds(n_samples, sample_rate, block_s)
    fade = int(FADE_S * sample_rate)
    ctx = int(CONTEXT_S * sample_rate)
    half = fade // 2
    rise, fall = _ramps(fade)
    edges = [0, *joins, n_samples]
    pending: np.ndarray | None = None  # previous block's target over the next fade, pre-weighted
    bar = None
    if progress:
        from tqdm import tqdm

        # Whole seconds of audio: a float total would print as "0/10.913968 s".
        bar = tqdm(total=round(n_samples / sample_rate), unit="s", desc="separating", leave=False)
    try:
        for k in range(len(edges) - 1):
            a, b = edges[k], edges[k + 1]
            s0, s1 = max(0, a - ctx), min(n_samples, b + ctx)
            seg = read(s0, s1)
            tgt = fn(seg, s0)
            out0 = a - half if k > 0 else 0  # this block owns [out0, out1) of the output ...
            out1 = b - half if k < len(edges) - 2 else n_samples  # ... the rest goes to pending
            piece_t = tgt[:, out0 - s0 : out1 - s0].copy()
            if k > 0 and pending is not None:
                piece_t[:, :fade] = pending + piece_t[:, :fade] * rise
            if k < len(edges) - 2:
                pending = tgt[:, out1 - s0 : out1 - s0 + fade] * fall
            yield out0, seg[:, out0 - s0 : out1 - s0], piece_t
            if bar is not None:
                bar.update(round(out1 / sample_rate) - bar.n)
    finally:
        if bar is not None:
            bar.close()


def separate_array(
    x: np.ndarray, sample_rate: int, fn: TargetFn, block_s: float = BLOCK_S, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Target and residual (channels, samples) of an in-memory array."""
    n = x.shape[1]
    target = np.empty_like(x, dtype=np.float32)
    for start, _, piece in iter_target(n, sample_rate, lambda a, b: x[:, a:b], fn, block_s, progress):
        target[:, start : start + piece.shape[1]] = piece
    residual = (x - target).astype(np.float32)
    return target, residual


def stream_to_files(
    in_path: str | os.PathLike,
    out_target: str | os.PathLike,
    out_residual: str | os.PathLike | None,
    fn: TargetFn,
    block_s: float = BLOCK_S,
    progress: bool = False,
) -> tuple[int, int, int]:
    """Run ``fn`` over a soundfile-readable file block by block, writing wav/flac outputs.

    Outputs are written to temporary files beside their destinations and renamed into
    place at the end (as ``save_audio`` does), 24-bit PCM, clamped to [-1, 1].
    Returns (samples, sample_rate, channels).
    """
    import soundfile as sf

    dests = [Path(out_target)] + ([Path(out_residual)] if out_residual else [])
    for d in dests:
        fmt = d.suffix.lower().lstrip(".")
        if fmt not in ("wav", "flac"):
            raise AudioSaveError(f"{d}: streaming writes wav or flac, not '{fmt}'")
        if not (d.parent if str(d.parent) else Path(".")).is_dir():
            raise AudioSaveError(f"{d}: the folder {d.parent} does not exist")
    with contextlib.ExitStack() as stack, sf.SoundFile(str(in_path)) as src:
        n, sr, ch = src.frames, src.samplerate, src.channels

        def read(a: int, b: int) -> np.ndarray:
            src.seek(a)
            return src.read(b - a, dtype="float32", always_2d=True).T

        # Each output is written beside its destination and renamed into place only when
        # every block succeeded (atomic_path), as save_audio does.
        writers = []
        for d in dests:
            fmt = d.suffix.lower().lstrip(".")
            tmp = stack.enter_context(atomic_path(d, suffix=f".part.{fmt}"))
            writers.append(
                stack.enter_context(sf.SoundFile(tmp, "w", sr, ch, subtype="PCM_24", format=fmt.upper()))
            )
        for _, x_piece, t_piece in iter_target(n, sr, read, fn, block_s, progress):
            writers[0].write(np.clip(t_piece, -1, 1).T)
            if len(writers) > 1:
                writers[1].write(np.clip(x_piece - t_piece, -1, 1).T)
    return n, sr, ch
