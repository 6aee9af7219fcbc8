"""Run a block function over an audio file into wav/flac files, in bounded memory.

The low half of streaming: engines call it (``BuiltinEngine.separate_file``), and
``samaudio_core.stream.separate_file`` sits above the engines, so this lives apart from both.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .blocks import Block, BlockFn, iter_blocks
from .errors import AudioLoadError, AudioSaveError

STREAM_FORMATS = (".wav", ".flac")


def _check_dest(dest: Path) -> None:
    fmt = dest.suffix.lower()
    if fmt not in STREAM_FORMATS:
        raise AudioSaveError(f"{dest}: streaming writes wav or flac, not '{fmt.lstrip('.')}'")
    if not (dest.parent if str(dest.parent) else Path(".")).is_dir():
        raise AudioSaveError(f"{dest}: the folder {dest.parent} does not exist")


def stem_paths(out_target: str | os.PathLike, out_residual: str | os.PathLike | None) -> list[Path]:
    """The output paths of a streamed separation (target first), each checked to be writable wav/flac."""
    dests = [Path(out_target)] + ([Path(out_residual)] if out_residual else [])
    for d in dests:
        _check_dest(d)
    return dests


def open_stem_writers(stack: contextlib.ExitStack, dests: Sequence[Path], sample_rate: int, channels: int) -> list:
    """24-bit soundfile writers for ``dests``, each writing beside its destination and renamed into
    place only when ``stack`` closes without an error (``atomic_path``)."""
    import soundfile as sf

    writers = []
    for d in dests:
        fmt = d.suffix.lower().lstrip(".")
        tmp = stack.enter_context(atomic_path(d, suffix=f".part.{fmt}"))
        try:
            f = sf.SoundFile(tmp, "w", sample_rate, channels, subtype="PCM_24", format=fmt.upper())
        except (OSError, RuntimeError) as exc:
            raise AudioSaveError(f"{d}: could not write {fmt}: {_reason(exc)}") from None
        writers.append(_CheckedWriter(stack.enter_context(f), d))
    return writers


def _reason(exc: BaseException) -> str:
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip().splitlines()[0]


class _CheckedWriter:
    """A soundfile writer whose failures (disk full, a vanished folder) are one clear
    AudioSaveError naming the destination; the temp file is removed and the destination kept as
    it was by ``atomic_path``. soundfile reports a short write by ``assert``, hence the catch."""

    def __init__(self, f, dest: Path):
        self._f, self._dest = f, dest

    def write(self, data: np.ndarray) -> None:
        try:
            self._f.write(data)
        except (OSError, RuntimeError, AssertionError) as exc:
            reason = _reason(exc) if not isinstance(exc, AssertionError) else "short write (is the disk full?)"
            raise AudioSaveError(f"{self._dest}: could not write: {reason}") from None


def stream_to_files(
    in_path: str | os.PathLike,
    out_target: str | os.PathLike,
    out_residual: str | os.PathLike | None,
    fn: BlockFn,
    plan: Callable[[int, int], Sequence[Block]],
    progress: bool = False,
) -> tuple[int, int, int]:
    """Run a target function over a soundfile-readable file block by block into wav/flac files.

    Parameters
    ----------
    fn : ``fn(segment (channels, samples), block) -> target`` of the same shape
    plan : ``plan(n_samples, sample_rate) -> blocks`` (:func:`samaudio_core.blocks.plan_blocks`)

    The residual is input − target. Outputs are 24-bit PCM clamped to [-1, 1] (as
    ``save_audio`` writes), renamed into place only when every block succeeded.
    Returns (samples, sample_rate, channels).
    """
    import soundfile as sf

    dests = stem_paths(out_target, out_residual)
    with contextlib.ExitStack() as stack, sf.SoundFile(str(in_path)) as src:
        n, sr, ch = src.frames, src.samplerate, src.channels

        def read(a: int, b: int) -> np.ndarray:
            try:
                src.seek(a)
                return src.read(b - a, dtype="float32", always_2d=True).T
            except sf.LibsndfileError as exc:  # a corrupt frame part way through the file
                raise AudioLoadError(f"{in_path}: cannot decode past {a / sr:.2f} s ({exc})") from None

        writers = open_stem_writers(stack, dests, sr, ch)
        for _, x_piece, t_piece in iter_blocks(
            n, read, fn, plan(n, sr), progress=progress, desc="separating"
        ):
            writers[0].write(np.clip(t_piece, -1, 1).T)
            if len(writers) > 1:
                writers[1].write(np.clip(x_piece - t_piece, -1, 1).T)
    return n, sr, ch
