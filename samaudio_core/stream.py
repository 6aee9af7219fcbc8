"""File to file separation: ``separate_file(input, output, text=...)``, streamed when possible.

Long wav/flac inputs on an engine that can stream (one with a ``separate_file`` method, as the
built-in engine has) are separated block by block (:mod:`samaudio_core.blocks`) straight into
wav/flac outputs, so memory does not grow with the input's length. Everything else loads the
input, runs :func:`samaudio_core.separate` and saves each stem; a stem whose path is a video
(.mp4, .mov, .mkv, .webm) is re-muxed with the video's picture. Every output is written to a
temporary file beside its destination and renamed into place (``atomic_path``), so a failure
leaves any earlier file as it was, and the input is never written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import sweep_orphans
from .errors import AudioSaveError, PromptError
from .filestream import STREAM_FORMATS
from .prompts import MaskPrompt, Span

#: Inputs at least this long (s) stream file to file when the engine and formats allow it
#: (shorter ones are faster in memory, and give the same samples).
STREAM_MIN_SECONDS = 120.0
#: Formats written block by block (libsndfile can append to them).


@dataclass(frozen=True)
class FileSeparation:
    """What :func:`separate_file` wrote.

    target, residual : the files written (``residual`` None when not asked for)
    sample_rate : Hz of the outputs (the input's)
    duration : seconds of audio separated
    streamed : True when the file went block by block (bounded memory), False in memory
    info : the engine's info dict (as in ``SeparationResult.info``)
    """

    target: Path
    residual: Path | None
    sample_rate: int
    duration: float
    streamed: bool
    info: dict[str, Any] = field(default_factory=dict)


def write_stem(path: str | os.PathLike, samples: np.ndarray, sample_rate: int, video: str | None) -> Path:
    """Save one stem atomically, or re-mux it with ``video``'s picture when ``path`` is a video."""
    from .audio import VIDEO_EXTENSIONS, Audio, save_audio
    from .video import REMUX_FORMATS, remux

    if Path(path).suffix.lower() not in REMUX_FORMATS:
        return save_audio(path, samples, sample_rate)
    if video is None or Path(video).suffix.lower() not in VIDEO_EXTENSIONS:
        raise PromptError(f"{path}: writing a video needs a video input (give a video or a video mask)")
    return remux(video, Audio(samples, sample_rate), path)


def can_stream(
    engine: Any,
    input: str | os.PathLike,
    outputs: Sequence[str | os.PathLike],
    *,
    mask: MaskPrompt | None = None,
    candidates: int = 1,
    auto_span: bool | None = None,
    min_seconds: float | None = None,
) -> bool:
    """Whether :func:`separate_file` can go block by block for these arguments.

    Needs an engine with a ``separate_file`` method, no visual prompt, one candidate, no
    separate span detection pass, wav/flac outputs, a soundfile-readable input, and at least
    ``min_seconds`` of it (default :data:`STREAM_MIN_SECONDS`).
    """
    if not callable(getattr(engine, "separate_file", None)):
        return False
    if mask is not None or candidates > 1 or auto_span:
        return False
    if any(Path(o).suffix.lower() not in STREAM_FORMATS for o in outputs):
        return False
    try:
        import soundfile as sf

        info = sf.info(str(input))
    except Exception:  # not readable block by block: the in-memory path reads it
        return False
    limit = STREAM_MIN_SECONDS if min_seconds is None else min_seconds
    return info.frames > 0 and info.frames / info.samplerate >= limit


def _same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def separate_file(
    input: str | os.PathLike,
    output: str | os.PathLike,
    *,
    text: str | None = None,
    spans: Sequence[Span] | None = None,
    absent: Sequence[Span] | None = None,
    residual: str | os.PathLike | None = None,
    mask: MaskPrompt | None = None,
    auto_span: bool | None = None,
    engine: str | Any = "auto",
    candidates: int = 1,
    progress: bool = False,
    stream: bool | None = None,
    video: str | os.PathLike | None = None,
) -> FileSeparation:
    """Separate the prompted sound of the file ``input`` into the file ``output``.

    Parameters
    ----------
    input : an audio (or video) file
    output : where the target goes; its extension picks the format (wav, flac, mp3, ogg, or a
        video container: then the video's picture with the target as sound track)
    text, spans, absent, mask, auto_span, engine, candidates, progress : as for
        :func:`samaudio_core.separate`
    residual : where everything else goes (optional)
    stream : None = stream when the engine can and the input lasts at least
        :data:`STREAM_MIN_SECONDS`; True = whenever the engine can; False = always in memory
    video : the picture for video outputs (default: the mask's video, else ``input``)

    Returns
    -------
    FileSeparation: the paths written, sample rate, duration, whether it streamed, the
    engine's info. Streamed and in-memory runs write the same samples.

    Raises
    ------
    AudioSaveError
        An output would overwrite the input (or the other output), or cannot be written.
    """
    from .audio import load_audio
    from .engines.registry import load_engine
    from .separate import separate

    outputs = [output] + ([residual] if residual else [])
    for folder in {Path(o).parent for o in outputs}:
        sweep_orphans(folder)  # temporary files of an earlier run that was killed
    for o in outputs:
        if _same_file(o, input):
            raise AudioSaveError(f"{o}: refusing to overwrite the input; choose another output")
    if residual and _same_file(output, residual):
        raise AudioSaveError(f"{output}: the target and the residual need different files")
    eng = load_engine(engine) if isinstance(engine, str) else engine
    streamable = stream is not False and can_stream(
        eng,
        input,
        outputs,
        mask=mask,
        candidates=candidates,
        auto_span=auto_span,
        min_seconds=0.0 if stream else None,
    )
    if streamable:
        from .audio import warn_if_damaged
        from .prompts import Prompt

        warn_if_damaged(input)  # libsndfile streams a cut WAV as if whole: say how much is there

        prompt = Prompt(text=text, spans=tuple(spans or ()), absent=tuple(absent or ()))
        info = eng.separate_file(input, prompt, output, residual, progress=progress)
        import soundfile as sf

        sr = int(sf.info(str(input)).samplerate)
        return FileSeparation(
            Path(output),
            Path(residual) if residual else None,
            sr,
            float(info.get("duration", 0.0)),
            True,
            info,
        )
    res = separate(
        load_audio(input),
        text=text,
        spans=spans,
        absent=absent,
        mask=mask,
        auto_span=auto_span,
        engine=eng,
        candidates=candidates,
        progress=progress,
    )
    picture = str(video) if video is not None else (mask.video if mask is not None else str(input))
    write_stem(output, res.target, res.sample_rate, picture)
    if residual:
        write_stem(residual, res.residual, res.sample_rate, picture)
    return FileSeparation(
        Path(output),
        Path(residual) if residual else None,
        res.sample_rate,
        res.target.shape[1] / res.sample_rate,
        False,
        res.info,
    )
