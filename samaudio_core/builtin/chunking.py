"""The built-in engine's blocks: 30 s pieces with 1 s of context and 0.5 s crossfades.

The engine's per-block target function runs through the toolkit's one block runner
(:mod:`samaudio_core.blocks`): each block is processed with ``context_s`` of extra audio on
both sides (so STFT edges and running estimates never reach the output), and neighbouring
blocks' targets are cross-faded over ``fade_s`` with complementary sin² ramps. The residual
is always input − target, so the cross-fade keeps reconstruction exact and no join can click
in either stem. The same plan fills arrays in memory (:func:`separate_array`) or streams file
to file (:func:`samaudio_core.stream.stream_to_files`) in bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..blocks import Block, plan_blocks, run_blocks

BLOCK_S = 30.0
CONTEXT_S = 1.0
FADE_S = 0.5

#: fn(segment (channels, samples), absolute start sample) -> target of the same shape
TargetFn = Callable[[np.ndarray, int], np.ndarray]


def plan(n_samples: int, sample_rate: int, block_s: float = BLOCK_S) -> list[Block]:
    """Blocks of about ``block_s`` seconds (evenly spread), each with its context and fades."""
    fade = int(FADE_S * sample_rate)
    block = max(1, int(block_s * sample_rate))
    return plan_blocks(n_samples, block + fade, fade, fade=fade, context=int(CONTEXT_S * sample_rate))


def block_fn(fn: TargetFn) -> Callable[[np.ndarray, Block], np.ndarray]:
    """The engine's ``fn(segment, start)`` in the block runner's ``fn(segment, block)`` form."""
    return lambda seg, b: fn(seg, b.start)


def separate_array(
    x: np.ndarray, sample_rate: int, fn: TargetFn, block_s: float = BLOCK_S, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Target and residual (channels, samples) of an in-memory array."""
    blocks = plan(x.shape[1], sample_rate, block_s)
    target = run_blocks(x, block_fn(fn), blocks, progress=progress, desc="separating")
    residual = (x - target).astype(np.float32)
    return target, residual
