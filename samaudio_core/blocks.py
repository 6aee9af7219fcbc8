"""The one block runner: overlap-add with crossfades, in order, in bounded memory.

Every long-signal loop in the toolkit (the built-in engine, SAM Audio's chunks, refinement's
re-masking) runs through here, the way demucs has one ``apply`` chunker:

1. :func:`plan_blocks` covers ``n`` samples with blocks of at most ``size`` samples that
   overlap their neighbours by at least ``overlap``, spread evenly (equal overlaps, no short
   last block that would give a model too little context), with starts on multiples of
   ``align``. Between two neighbours the output crossfades over ``fade`` samples centred in
   their overlap (``fade=None``: over the whole overlap). A block may also read ``context``
   samples either side that never reach the output (STFT edges, running estimates).
2. :func:`block_weights` gives each block sin² up, 1, cos² down: sin² + cos² = 1, so where
   two blocks overlap their weights sum to one and the output is a convex blend of two
   estimates (no level bump).
3. :func:`iter_blocks` calls ``fn(segment, block)`` block by block and yields finished output
   in order, each piece as soon as no later block can touch it. The sum is divided by the summed
   weights (accumulated in float64), so the blend stays exact and convex wherever any number
   of blocks overlap: an identity ``fn`` gives back its input bit for bit. Memory holds one
   block and its overlap, whatever ``n``; the same loop fills an array (:func:`run_blocks`) or
   streams to files (:func:`samaudio_core.stream.separate_file`).

Arrays are ``(..., samples)``: any leading shape (channels, or stacked stems) rides along.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .progress import tick


@dataclass(frozen=True)
class Block:
    """One call of the block function.

    start, end : the samples [start, end) the function is given (its context included)
    keep_start, keep_end : the samples where its output has weight > 0 (inside [start, end))
    fade_in, fade_out : crossfade lengths (samples) at ``keep_start`` and ``keep_end``
    """

    start: int
    end: int
    keep_start: int
    keep_end: int
    fade_in: int = 0
    fade_out: int = 0

    @property
    def length(self) -> int:
        """Samples the function is given and must give back."""
        return self.end - self.start


#: fn(segment (..., block.length), block) -> output (..., block.length); the leading shape of
#: the output may differ from the input's (e.g. target and residual stacked).
BlockFn = Callable[[np.ndarray, Block], np.ndarray]
#: read(start_sample, end_sample) -> (..., end - start)
ReadFn = Callable[[int, int], np.ndarray]


def _spread(n: int, size: int, overlap: int, align: int) -> list[tuple[int, int]]:
    """Evenly spread [start, end) spans of <= ``size`` covering [0, n), starts on ``align``."""
    if n <= size:
        return [(0, n)]
    k = max(2, int(np.ceil((n - overlap) / (size - overlap))))
    while True:
        starts = [int(i * (n - size) / (k - 1)) // align * align for i in range(k - 1)]
        starts.append(-(-(n - size) // align) * align)  # the last one rounds up so it ends at n
        spans = [(s, min(s + size, n)) for s in sorted(set(starts))]
        # Rounding to ``align`` can open a gap when ``overlap`` is small: then one block more.
        if all(b[0] <= a[1] for a, b in zip(spans, spans[1:])):
            return spans
        k += 1


def plan_blocks(
    n: int,
    size: int,
    overlap: int = 0,
    *,
    fade: int | None = None,
    context: int = 0,
    align: int = 1,
) -> list[Block]:
    """Plan blocks covering ``n`` samples.

    Parameters
    ----------
    n : total samples
    size : the most samples a block covers before ``context`` (rounded down to ``align``, at
        least ``align``)
    overlap : the least overlap (samples) between neighbours, at most ``size // 2``
    fade : crossfade length (samples) centred in each overlap; None = the whole overlap
    context : extra samples a block reads either side (clipped at 0 and ``n``); its output
        there gets weight 0
    align : block starts fall on multiples of this (e.g. a codec hop); exact for the kept part
        with ``fade=None`` and ``context=0`` (SAM Audio's chunks), else for the planned spans

    Returns
    -------
    Blocks in order; ``[]`` for ``n <= 0``; a single block when ``n <= size``.
    """
    if n <= 0:
        return []
    align = max(1, int(align))
    size = max(align, int(size) // align * align)
    overlap = min(max(0, int(overlap)), size // 2)
    spans = _spread(n, size, overlap, align)
    # Crossfade i..i+1: ``fade`` samples (or the whole overlap) centred in the overlap.
    joins = []
    for (_, e0), (s1, _) in zip(spans, spans[1:]):
        width = e0 - s1 if fade is None else min(e0 - s1, max(0, int(fade)))
        a = s1 + (e0 - s1 - width) // 2
        joins.append((a, width))
    out = []
    for i in range(len(spans)):
        keep_start, fade_in = joins[i - 1] if i > 0 else (0, 0)
        keep_end, fade_out = (joins[i][0] + joins[i][1], joins[i][1]) if i + 1 < len(spans) else (n, 0)
        # The block reads its kept part plus context: a short crossfade in a long overlap
        # must not make two blocks read the same audio twice.
        out.append(
            Block(
                max(0, keep_start - context),
                min(n, keep_end + context),
                keep_start,
                keep_end,
                fade_in,
                fade_out,
            )
        )
    return out


def block_weights(b: Block) -> np.ndarray:
    """Weights (b.length,) float64: 0 outside the kept part, sin² up, 1, cos² down.

    The ramps of two neighbours cover the same samples with sin² and cos² of the same angle,
    so they sum to one there.
    """
    w = np.zeros(b.length, np.float64)
    k0, k1 = b.keep_start - b.start, b.keep_end - b.start
    w[k0:k1] = 1.0
    if b.fade_in:
        t = (np.arange(b.fade_in, dtype=np.float64) + 0.5) / b.fade_in
        w[k0 : k0 + b.fade_in] = np.sin(0.5 * np.pi * t) ** 2
    if b.fade_out:
        t = (np.arange(b.fade_out, dtype=np.float64) + 0.5) / b.fade_out
        w[k1 - b.fade_out : k1] *= np.cos(0.5 * np.pi * t) ** 2
    return w


def iter_blocks(
    n: int,
    read: ReadFn,
    fn: BlockFn,
    plan: Sequence[Block],
    *,
    progress: bool = False,
    desc: str = "blocks",
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Run ``fn`` over ``plan`` and yield ``(start, input piece, output piece)`` covering
    [0, n) in order; pieces are float32 (input as read)."""
    bar = None
    if progress and len(plan) > 1:
        from tqdm import tqdm

        bar = tqdm(total=len(plan), unit="block", desc=desc, leave=False)
    done = 0  # output before this sample has been yielded
    acc: np.ndarray | None = None  # weighted sum from ``done`` on, float64
    norm = np.zeros(0, np.float64)
    try:
        for i, b in enumerate(plan):
            tick(i, len(plan), desc)  # a watcher (the web server) sees progress and may cancel here
            seg = read(b.start, b.end)
            y = np.asarray(fn(seg, b))
            if y.shape[-1] != b.length:
                raise ValueError(f"block function returned {y.shape[-1]} samples for a block of {b.length}")
            w = block_weights(b)
            if acc is None:
                acc = np.zeros(y.shape[:-1] + (0,), np.float64)
            grow = b.keep_end - done - acc.shape[-1]
            if grow > 0:
                acc = np.concatenate([acc, np.zeros(acc.shape[:-1] + (grow,))], axis=-1)
                norm = np.concatenate([norm, np.zeros(grow)])
            k0, k1 = b.keep_start - b.start, b.keep_end - b.start
            acc[..., b.keep_start - done : b.keep_end - done] += y[..., k0:k1] * w[k0:k1]
            norm[b.keep_start - done : b.keep_end - done] += w[k0:k1]
            # Nothing after this block reaches before the next block's kept part: final.
            limit = plan[i + 1].keep_start if i + 1 < len(plan) else n
            if limit > done:
                m = limit - done
                out = (acc[..., :m] / np.maximum(norm[:m], 1e-300)).astype(np.float32)
                yield done, seg[..., done - b.start : limit - b.start], out
                acc, norm, done = acc[..., m:], norm[m:], limit
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()


def run_blocks(
    x: np.ndarray, fn: BlockFn, plan: Sequence[Block], *, progress: bool = False, desc: str = "blocks"
) -> np.ndarray:
    """Overlap-add ``fn`` over an in-memory array ``x`` (..., n); returns (..., n) float32."""
    n = x.shape[-1]
    out: np.ndarray | None = None
    for start, _, piece in iter_blocks(n, lambda a, b: x[..., a:b], fn, plan, progress=progress, desc=desc):
        if out is None:
            out = np.empty(piece.shape[:-1] + (n,), np.float32)
        out[..., start : start + piece.shape[-1]] = piece
    return out if out is not None else np.zeros(x.shape[:-1] + (0,), np.float32)


def stitch(pieces: Sequence[np.ndarray], plan: Sequence[Block], n: int) -> np.ndarray:
    """Overlap-add outputs already computed per block (each ``block.length`` long)."""
    it = iter(pieces)
    return run_blocks(np.zeros(n, np.float32), lambda seg, b: next(it), plan)
