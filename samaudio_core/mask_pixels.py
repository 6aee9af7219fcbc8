"""A ``MaskPrompt`` (box, points or mask image) as a region on a grid over the video frame.

One reading for every engine: the built-in audio-visual separation pools the region into its
motion cells, SAM Audio's adapter rasterises it onto its downscaled RGB frames; both call
:func:`region_cells`, so the same prompt names the same part of the picture everywhere.

Conventions
-----------
- Coordinates are ``x`` (left to right) and ``y`` (top to bottom), in the order
  ``(x0, y0, x1, y1)`` for a box and ``(x, y)`` for a point.
- When every coordinate of a box or point lies within ±:data:`FRACTION_LIMIT` (2), they are
  **fractions of the frame's width/height** (ARCHITECTURE.md: a box is fractions); otherwise
  they are **pixels of the video's own frame size** (not of any downscaled copy). Values in
  (1, 2] are therefore fractions outside the frame and refused (past :data:`BOX_SLACK`), not
  a one-pixel region nobody means.
- A box may overshoot the frame by :data:`BOX_SLACK` of its side and is clipped to it; a
  point must lie inside the frame. A point marks a disc of :data:`POINT_RADIUS` times the
  frame's shorter side (without a segmenter a click can only mark a neighbourhood), always
  including the cell it falls in.
- A mask image (PNG or any still FFmpeg reads) or a mask video has the video's aspect ratio;
  a pixel is inside when it is brighter than halfway between the darkest and brightest
  value of the whole mask (non-zero for a clean 0/1 or 0/255 mask, robust to lossy ones).
- A grid of ``rows x cols`` cells covers the whole frame; each cell's value is the fraction
  of it inside the region (0..1). A boolean raster is ``cells > 0`` (any part inside).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .errors import PromptError
from .prompts import MaskPrompt
from .video_io import failure_reason, open_video, video_stream

#: Coordinates all within ±this are fractions of width/height, else pixels.
FRACTION_LIMIT = 2.0
#: How far (fraction of the frame side) a box may stick out of the frame before it is refused
#: rather than clipped: a hand-drawn box often overshoots the edge a little.
BOX_SLACK = 0.02
#: Radius of the region around a clicked point, as a fraction of the frame's smaller side
#: (the built-in visual separation's benchmark setting).
POINT_RADIUS = 0.12

Grid = tuple[int, int]  # (rows, cols)


def to_pixels(values: Sequence[float], width: int, height: int) -> list[float]:
    """Coordinates (x, y, x, y, ...) in the video's own pixels (see the module's conventions)."""
    vals = [float(v) for v in values]
    if any(not np.isfinite(v) for v in vals):
        raise PromptError(f"region coordinates {tuple(vals)} are not finite numbers")
    if all(abs(v) <= FRACTION_LIMIT for v in vals):
        return [v * (width if i % 2 == 0 else height) for i, v in enumerate(vals)]
    return vals


def box_pixels(box: Sequence[float], width: int, height: int) -> tuple[float, float, float, float]:
    """A box as (x0, y0, x1, y1) pixels clipped to the frame; refused when it lies outside."""
    if len(box) != 4:
        raise PromptError(f"a box needs four numbers x0,y0,x1,y1, got {tuple(box)}")
    x0, y0, x1, y1 = to_pixels(box, width, height)
    if x1 <= x0 or y1 <= y0:
        raise PromptError(f"box {tuple(box)}: x1 must exceed x0 and y1 must exceed y0")
    sx, sy = BOX_SLACK * width, BOX_SLACK * height
    if x0 < -sx or y0 < -sy or x1 > width + sx or y1 > height + sy:
        raise PromptError(
            f"box {tuple(box)} lies outside the {width}x{height} frame "
            "(give fractions of width/height in 0..1, or pixels inside the frame)"
        )
    return max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)


def box_cells(box: Sequence[float], width: int, height: int, grid: Grid) -> np.ndarray:
    """(rows, cols) in [0, 1]: the fraction of each cell the box covers."""
    x0, y0, x1, y1 = box_pixels(box, width, height)
    rows, cols = grid
    ch, cw = height / rows, width / cols
    r, c = np.arange(rows), np.arange(cols)
    ey = np.clip((np.minimum((r + 1) * ch, y1) - np.maximum(r * ch, y0)) / ch, 0, 1)
    ex = np.clip((np.minimum((c + 1) * cw, x1) - np.maximum(c * cw, x0)) / cw, 0, 1)
    return (ey[:, None] * ex[None, :]).astype(np.float32)


def point_cells(
    points: Sequence[Sequence[float]], width: int, height: int, grid: Grid, radius: float = POINT_RADIUS
) -> np.ndarray:
    """(rows, cols) 0/1: cells whose centres lie within ``radius`` x the shorter side of a click."""
    if not points:
        raise PromptError("give at least one point x,y")
    rows, cols = grid
    cy, cx = (np.arange(rows) + 0.5) * height / rows, (np.arange(cols) + 0.5) * width / cols
    r = radius * min(width, height)
    out = np.zeros(grid, np.float32)
    for pt in points:
        if len(pt) != 2:
            raise PromptError(f"a point needs two numbers x,y, got {tuple(pt)}")
        x, y = to_pixels(pt, width, height)
        if not (0 <= x <= width and 0 <= y <= height):
            raise PromptError(f"point {tuple(pt)} lies outside the {width}x{height} frame")
        out[((cy[:, None] - y) ** 2 + (cx[None, :] - x) ** 2) <= r * r] = 1.0
        # A click always selects at least the cell it falls in, however small the radius.
        out[min(int(y / height * rows), rows - 1), min(int(x / width * cols), cols - 1)] = 1.0
    return out


def _pool(binary: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Fraction of each of rows x cols blocks that is set, for any (h, w) boolean image.

    A grid finer than the image repeats its pixels (nearest neighbour)."""
    h, w = binary.shape
    if rows > h or cols > w:
        ry = np.minimum((np.arange(rows) + 0.5) * h / rows, h - 1).astype(int)
        rx = np.minimum((np.arange(cols) + 0.5) * w / cols, w - 1).astype(int)
        return binary[np.ix_(ry, rx)].astype(np.float32)
    ry = np.linspace(0, h, rows + 1).astype(int)[:-1]
    rx = np.linspace(0, w, cols + 1).astype(int)[:-1]
    sums = np.add.reduceat(np.add.reduceat(binary.astype(np.float32), ry, axis=0), rx, axis=1)
    sizes = np.outer(np.diff(np.append(ry, h)), np.diff(np.append(rx, w)))
    return (sums / np.maximum(sizes, 1)).astype(np.float32)


def read_mask_image(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """A mask image or mask video as ``(inside (N, h, w) bool, times (N,) s)``, thresholded once."""
    path = str(path)
    container = open_video(path)
    pictures: list[np.ndarray] = []
    stamps: list[float] = []
    with container:
        stream = video_stream(container, path)
        try:
            for frame in container.decode(stream):
                pictures.append(frame.to_ndarray(format="gray"))
                stamps.append(float(frame.time) if frame.time is not None else len(stamps))
        except Exception as exc:
            raise PromptError(f"{path}: cannot decode the mask ({failure_reason(exc)})") from exc
    if not pictures:
        raise PromptError(f"{path}: the mask holds no image")
    lo = min(float(p.min()) for p in pictures)
    hi = max(float(p.max()) for p in pictures)
    if hi <= 0:
        raise PromptError(f"{path}: the mask is empty (no non-zero pixel)")
    threshold = (lo + hi) / 2 if hi > lo else 0.0
    return np.stack([p > threshold for p in pictures]), np.asarray(stamps)


def image_cells(
    path: str | os.PathLike, width: int, height: int, grid: Grid, times: np.ndarray | None = None
) -> np.ndarray:
    """Cells from a mask image, (rows, cols); or from a mask video, (T, rows, cols) aligned
    with ``times`` (s) by timestamp, or one per mask frame when ``times`` is None."""
    inside, stamps = read_mask_image(path)
    mh, mw = inside.shape[1:]
    if abs(mw / mh - width / height) > 0.02 * width / height:
        raise PromptError(
            f"{path}: the mask is {mw}x{mh} but the video is {width}x{height} (aspect ratios differ)"
        )
    cells = np.stack([_pool(p, *grid) for p in inside])
    if cells.max() <= 0:
        raise PromptError(f"{path}: the mask is empty (no pixel inside)")
    if len(cells) == 1:
        return cells[0]
    if times is None:
        return cells
    idx = np.clip(np.searchsorted(stamps, np.asarray(times)), 0, len(stamps) - 1)
    return cells[idx]


def region_cells(
    mask: MaskPrompt, width: int, height: int, grid: Grid, times: np.ndarray | None = None
) -> np.ndarray:
    """The region a ``MaskPrompt`` names, as the fraction of each cell inside it.

    Parameters
    ----------
    width, height : the video's own frame size (px); pixel coordinates refer to it
    grid : (rows, cols) of cells covering the whole frame (e.g. motion cells, or the pixels
        of a downscaled frame)
    times : frame times (s) a mask video is aligned to

    Returns (rows, cols), or (T, rows, cols) for a mask video; never all zero.
    """
    given = [x is not None for x in (mask.box, mask.points, mask.image)]
    if sum(given) == 0:
        raise PromptError("a visual prompt needs a box, points or a mask image (exactly one of them)")
    if sum(given) > 1:
        raise PromptError("give only one of box, points or mask image for a visual prompt (exactly one)")
    if mask.box is not None:
        cells = box_cells(mask.box, width, height, grid)
    elif mask.points is not None:
        cells = point_cells(mask.points, width, height, grid)
    else:
        cells = image_cells(str(mask.image), width, height, grid, times)
    if cells.max() <= 0:
        raise PromptError("the visual region is empty (it selects no part of the frame)")
    return cells
