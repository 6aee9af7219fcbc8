"""The one block runner: plans, crossfade weights, exact overlap-add, streaming order."""

from __future__ import annotations

import numpy as np
import pytest

from samaudio_core.blocks import block_weights, iter_blocks, plan_blocks, run_blocks, stitch

PLANS = [
    # n, size, overlap, fade, context, align
    (1, 100, 10, None, 0, 1),
    (1, 100, 10, 5, 7, 1),
    (2, 1, 0, None, 0, 1),
    (99, 100, 10, None, 0, 1),
    (101, 100, 10, None, 0, 1),
    (1_000, 100, 30, 10, 7, 1),
    (1_001, 64, 0, None, 0, 16),
    (48_017, 4_000, 500, 500, 1_000, 1),
    (500_001, 96_000, 9_600, None, 0, 1_920),
]


def _coverage(plan, n):
    total = np.zeros(n)
    for b in plan:
        total[b.start : b.end] += block_weights(b)
    return total


@pytest.mark.parametrize("n, size, overlap, fade, context, align", PLANS)
def test_identity_comes_back_exactly(n, size, overlap, fade, context, align):
    plan = plan_blocks(n, size, overlap, fade=fade, context=context, align=align)
    x = np.random.default_rng(n).standard_normal((2, n)).astype(np.float32)
    seen = []

    def fn(seg, b):
        assert seg.shape == (2, b.length)
        seen.append(b)
        return seg

    out = run_blocks(x, fn, plan)
    assert out.dtype == np.float32 and np.array_equal(out, x)  # bit for bit, any length
    assert seen == list(plan)


@pytest.mark.parametrize("n, size, overlap, fade, context, align", PLANS)
def test_plan_covers_in_order_and_weights_sum_to_one(n, size, overlap, fade, context, align):
    plan = plan_blocks(n, size, overlap, fade=fade, context=context, align=align)
    assert plan[0].keep_start == 0 and plan[-1].keep_end == n
    for a, b in zip(plan, plan[1:]):
        assert a.keep_start <= b.keep_start <= a.keep_end  # no gap, in order
        assert a.fade_out == b.fade_in and b.keep_start + b.fade_in == a.keep_end
    for b in plan:
        assert 0 <= b.start <= b.keep_start < b.keep_end <= b.end <= n
        assert b.keep_start - b.start <= context and b.end - b.keep_end <= context
        if fade is None and context == 0:
            assert b.start % align == 0 and b.length <= max(align, size // align * align)
        if fade is not None:
            assert b.fade_in <= fade and b.fade_out <= fade
    np.testing.assert_allclose(_coverage(plan, n), 1.0, atol=1e-12)


def test_empty_and_single_block():
    assert plan_blocks(0, 100) == []
    (only,) = plan_blocks(50, 100, 20, context=10)
    assert (only.start, only.end, only.fade_in, only.fade_out) == (0, 50, 0, 0)
    assert np.array_equal(block_weights(only), np.ones(50))


def test_a_constant_gain_and_stacked_outputs():
    x = np.random.default_rng(1).standard_normal(10_000).astype(np.float32)
    plan = plan_blocks(len(x), 1_000, 200)
    out = run_blocks(x, lambda seg, b: np.stack([0.25 * seg, seg - 0.25 * seg]), plan)
    assert out.shape == (2, len(x))
    np.testing.assert_allclose(out[0], 0.25 * x, atol=1e-7)
    np.testing.assert_allclose(out.sum(axis=0), x, atol=1e-6)


def test_blocks_that_disagree_are_blended_without_steps():
    n = 20_000
    plan = plan_blocks(n, 4_000, 1_000)
    gains = iter(np.linspace(0.2, 1.0, len(plan)))
    out = run_blocks(np.ones(n, np.float32), lambda seg, b: seg * next(gains), plan)
    assert out.min() >= 0.2 - 1e-6 and out.max() <= 1.0 + 1e-6
    assert np.abs(np.diff(out)).max() < 2e-3  # a sin² crossfade, not a jump


def test_streaming_yields_in_order_and_reads_each_block_once():
    n = 30_001
    x = np.arange(n, dtype=np.float32)[None]
    plan = plan_blocks(n, 5_000, 500, fade=300, context=200)
    reads = []

    def read(a, b):
        reads.append((a, b))
        return x[:, a:b]

    pos = 0
    for start, x_piece, y_piece in iter_blocks(n, read, lambda seg, b: seg, plan):
        assert start == pos and x_piece.shape == y_piece.shape
        np.testing.assert_array_equal(x_piece, x[:, start : start + x_piece.shape[1]])
        pos += y_piece.shape[1]
    assert pos == n and reads == [(b.start, b.end) for b in plan]


def test_stitch_and_wrong_lengths():
    plan = plan_blocks(5_000, 1_000, 100)
    np.testing.assert_allclose(stitch([np.ones(b.length) for b in plan], plan, 5_000), 1.0)
    with pytest.raises(ValueError, match="samples for a block"):
        run_blocks(np.zeros(5_000), lambda seg, b: seg[:-1], plan)
