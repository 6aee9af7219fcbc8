"""samaudio_core.progress: the block runner reports each block to a watcher and stops when asked."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from samaudio_core.blocks import plan_blocks, run_blocks
from samaudio_core.progress import Cancelled, tick, watch


def test_ticks_reach_the_watcher_of_this_thread_only():
    x = np.ones((1, 10_000), np.float32)
    plan = plan_blocks(10_000, 2_000, 200)
    seen, other = [], []
    with watch(on_progress=lambda d, t, w: seen.append((d, t, w))):
        worker = threading.Thread(target=lambda: other.append(run_blocks(x, lambda s, b: s, plan)))
        worker.start()
        out = run_blocks(x, lambda s, b: s, plan, desc="test")
        worker.join()
    assert np.array_equal(out, x) and len(other) == 1
    assert seen == [(i, len(plan), "test") for i in range(len(plan))]  # nothing from the other thread
    tick(1, 2)  # outside a watch: nothing happens


def test_cancel_stops_between_blocks_and_passes_except_exception():
    x = np.ones((1, 10_000), np.float32)
    plan = plan_blocks(10_000, 2_000, 200)
    calls = []

    def fn(seg, b):
        calls.append(b)
        return seg

    def guarded():
        try:
            return run_blocks(x, fn, plan)
        except Exception:  # an advisory handler must not swallow a cancellation
            return None

    with pytest.raises(Cancelled), watch(is_cancelled=lambda: len(calls) >= 2):
        guarded()
    assert len(calls) == 2 < len(plan)
