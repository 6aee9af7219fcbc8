"""One reading of a MaskPrompt: the built-in video path and the SAM Audio adapter agree."""

from __future__ import annotations

import numpy as np
import pytest
from test_video import write_png, write_video

from samaudio_core.engines import sam_chunking as sc
from samaudio_core.errors import PromptError
from samaudio_core.mask_pixels import box_pixels, region_cells, to_pixels
from samaudio_core.prompts import MaskPrompt
from samaudio_core.video import VideoMotion, region_weights

W, H = 160, 120  # the video's own frame size


def _motion(rows: int, cols: int, frames: int = 4) -> VideoMotion:
    times = np.arange(frames) / 10 + 0.05
    motion = np.zeros((frames, rows, cols), np.float16)
    return VideoMotion("v.mp4", W, H, frames / 10, times, motion, (cols * 2, rows * 2))


def _regions(tmp_path):
    img = np.zeros((H, W), np.uint8)
    img[30:90, 20:100] = 200  # a lossy-looking level, not 255
    img[0:5, 150:160] = 40  # dim noise: below half of the brightest, outside
    frames = [np.where(np.arange(W)[None, :] < (W // 2 if i < 2 else W), 255, 0).astype(np.uint8)
              * np.ones((H, 1), np.uint8) for i in range(4)]  # fmt: skip
    return [
        dict(box=(0.25, 0.25, 0.5, 0.75)),
        dict(box=(40, 30, 80, 90)),  # the same box in the video's pixels
        dict(box=(0.9, 0.9, 1.01, 1.01)),  # overshoots the edge a little: clipped
        dict(points=((0.3, 0.6), (120, 20))),
        dict(image=str(write_png(tmp_path / "m.png", img))),
        dict(image=str(write_video(tmp_path / "m.mp4", frames))),
    ]


@pytest.mark.parametrize("grid", [(60, 80), (30, 40), (9, 12)])
def test_builtin_and_sam_paths_name_the_same_region(tmp_path, grid):
    vm = _motion(*grid)
    for kwargs in _regions(tmp_path):
        mask = MaskPrompt("v.mp4", **kwargs)
        weights = region_weights(vm, mask)  # the built-in engine's motion cells
        # SAM's frames downscaled to the same grid; pixels refer to the video's own size.
        sam = sc.object_masks(mask, len(vm.times), *grid, source_size=(W, H), times=vm.times)
        assert sam.shape == (len(vm.times), 1, *grid)
        expect = np.broadcast_to(weights > 0, (len(vm.times), *grid))
        np.testing.assert_array_equal(sam[:, 0], expect, err_msg=str(kwargs))


def test_fractions_and_pixels_agree_on_a_downscaled_raster():
    # The bug this module fixed: SAM read pixel boxes in its 336-px frames, not the video's.
    frac = sc.object_masks(MaskPrompt("v.mp4", box=(0.25, 0.25, 0.5, 0.75)), 1, 60, 80)
    pix = sc.object_masks(MaskPrompt("v.mp4", box=(40, 30, 80, 90)), 1, 60, 80, source_size=(W, H))
    np.testing.assert_array_equal(frac, pix)
    assert pix[0, 0].sum() == 20 * 30


def test_convention():
    assert to_pixels((0.5, 0.5), W, H) == [80.0, 60.0]
    assert to_pixels((3, 4), W, H) == [3.0, 4.0]  # any value beyond 2: pixels
    with pytest.raises(PromptError, match="outside"):
        box_pixels((0.5, 0.5, 1.5, 1.5), W, H)  # fractions past the frame, not a 1-px box
    with pytest.raises(PromptError, match="not finite"):
        to_pixels((float("nan"), 0), W, H)
    for bad, message in [({}, "exactly one"), (dict(box=(0, 0, 1, 1), points=((1, 1),)), "only one")]:
        with pytest.raises(PromptError, match=message):
            region_cells(MaskPrompt("v.mp4", **bad), W, H, (6, 8))
