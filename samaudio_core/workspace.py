"""Non-destructive session workspace: the original, every version, undo/reset, exports.

Layout of one session folder::

    <root>/<name>/
        manifest.json          # versions, the undo stack, scores; rewritten atomically
        original/<file>        # a copy of the input, never modified (read-only)
        versions/v0001.wav     # one 32-bit float wav per edit (no quantisation between steps)
        out/                   # exports; nothing is written outside this folder

The undo stack holds version ids: an edit pushes a new version, ``undo`` pops, ``reset``
pushes the original again (so a reset can itself be undone). Versions are never deleted,
so nothing a user made is lost.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .atomic import atomic_write_text
from .audio import SAVE_FORMATS, Audio, load_audio, save_audio
from .errors import WorkspaceError

MANIFEST = "manifest.json"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Version:
    """One state of the audio: the original (id 0) or the result of a step."""

    id: int
    path: str  # relative to the session folder
    step: dict[str, Any] | None = None
    parent: int | None = None
    scores: dict[str, float] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    created: str = field(default_factory=_now)


def safe_name(name: str) -> str:
    """A session name usable as a folder name; refuses anything path-like."""
    if not _NAME_RE.match(name or ""):
        raise WorkspaceError(
            f"invalid session name {name!r}: use letters, digits, '.', '_' or '-' (no slashes), up to 100 characters"
        )
    return name


class Workspace:
    """One editing session on one input file. Create with :meth:`create`, reopen with :meth:`open`."""

    def __init__(self, folder: Path, manifest: dict[str, Any]):
        self.folder = folder
        self._m = manifest

    # ----- creation and persistence -------------------------------------------------------
    @classmethod
    def create(
        cls,
        root: str | os.PathLike,
        input_path: str | os.PathLike,
        name: str | None = None,
        out_dir: str | os.PathLike | None = None,
    ) -> Workspace:
        """Start a session: validate the input as audio, copy it under ``original/`` read-only.

        ``out_dir`` puts exports in a folder of the caller's choosing instead of ``<session>/out``
        (``samaudio apply --out-dir``); exports are still confined to that one folder.
        """
        src = Path(input_path)
        audio = load_audio(src)  # fails early, with a clear message, on bad input
        root = Path(root)
        base = (
            safe_name(name)
            if name
            else safe_name(re.sub(r"[^A-Za-z0-9._-]", "_", src.stem)[:80] or "session")
        )
        folder = root / base
        if name and (folder / MANIFEST).exists():
            raise WorkspaceError(f"session '{name}' already exists in {root}: open it instead")
        n = 1
        while folder.exists():  # never reuse another session's folder
            n += 1
            folder = root / f"{base}-{n}"
        (folder / "original").mkdir(parents=True)
        (folder / "versions").mkdir()
        if out_dir is None:
            (folder / "out").mkdir()
        else:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
        original = folder / "original" / src.name
        shutil.copy2(src, original)
        original.chmod(original.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        manifest = {
            "format": 1,
            "name": folder.name,
            "created": _now(),
            "input": str(src.resolve()),
            "sample_rate": audio.sample_rate,
            "channels": audio.channels,
            "duration": audio.duration,
            "versions": [asdict(Version(0, str(original.relative_to(folder))))],
            "stack": [0],
            "out_dir": str(Path(out_dir).resolve()) if out_dir is not None else None,
            "exports": [],
            "log": [],
        }
        ws = cls(folder, manifest)
        ws._save()
        return ws

    @classmethod
    def open(cls, folder: str | os.PathLike) -> Workspace:
        """Reopen a session folder (after a restart); undo history included."""
        folder = Path(folder)
        path = folder / MANIFEST
        if not path.is_file():
            raise WorkspaceError(f"{folder}: not a samaudio session (no {MANIFEST})")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise WorkspaceError(f"{path}: manifest is not valid JSON ({exc})") from None
        return cls(folder, manifest)

    def _save(self) -> None:
        atomic_write_text(self.folder / MANIFEST, json.dumps(self._m, indent=2))

    # ----- state -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._m["name"]

    @property
    def out_dir(self) -> Path:
        custom = self._m.get("out_dir")
        return Path(custom) if custom else self.folder / "out"

    @property
    def duration(self) -> float:
        return float(self.current_audio_info()["duration"])

    @property
    def versions(self) -> list[Version]:
        return [Version(**v) for v in self._m["versions"]]

    @property
    def current(self) -> Version:
        return Version(**self._m["versions"][self._m["stack"][-1]])

    @property
    def original(self) -> Version:
        return Version(**self._m["versions"][0])

    def path_of(self, version: Version) -> Path:
        return self.folder / version.path

    def current_audio(self) -> Audio:
        return load_audio(self.path_of(self.current))

    def current_audio_info(self) -> dict[str, Any]:
        v = self.current
        return v.info.get("audio") or {
            "duration": self._m["duration"],
            "sample_rate": self._m["sample_rate"],
            "channels": self._m["channels"],
        }

    @property
    def exports(self) -> list[dict[str, Any]]:
        """What the session exported, oldest first: ``{"time", "version", "path"}`` each (a copy)."""
        return [dict(e) for e in self._m.get("exports", [])]

    def history(self) -> list[Version]:
        """The versions on the undo stack, oldest first."""
        return [Version(**self._m["versions"][i]) for i in self._m["stack"]]

    # ----- edits ---------------------------------------------------------------------------
    def commit(
        self,
        audio: Audio,
        step: dict[str, Any],
        scores: dict[str, float] | None = None,
        info: dict[str, Any] | None = None,
    ) -> Version:
        """Store ``audio`` as a new version made by ``step`` and make it current."""
        vid = len(self._m["versions"])
        rel = f"versions/v{vid:04d}.wav"
        save_audio(self.folder / rel, audio, clip="none")  # float wav: lossless between steps
        meta = dict(info or {})
        meta["audio"] = {
            "duration": audio.duration,
            "sample_rate": audio.sample_rate,
            "channels": audio.channels,
        }
        version = Version(vid, rel, step=step, parent=self.current.id, scores=scores, info=meta)
        self._m["versions"].append(asdict(version))
        self._m["stack"].append(vid)
        self._m["log"].append({"time": _now(), "action": "edit", "version": vid, "step": step})
        self._save()
        return version

    def set_scores(self, scores: dict[str, float], version_id: int | None = None) -> None:
        vid = self.current.id if version_id is None else version_id
        self._m["versions"][vid]["scores"] = scores
        self._save()

    def undo(self) -> Version:
        """Go back one edit. Raises WorkspaceError at the original."""
        if len(self._m["stack"]) <= 1:
            raise WorkspaceError("nothing to undo: this is the original")
        undone = self._m["stack"].pop()
        self._m["log"].append({"time": _now(), "action": "undo", "version": undone})
        self._save()
        return self.current

    def reset(self) -> Version:
        """Back to the original (kept on the stack, so the reset can be undone)."""
        if self._m["stack"][-1] != 0:
            self._m["stack"].append(0)
            self._m["log"].append({"time": _now(), "action": "reset"})
            self._save()
        return self.current

    # ----- exports -------------------------------------------------------------------------
    def resolve_output(self, name: str) -> Path:
        """Resolve ``name`` inside the output folder; refuse anything that escapes it."""
        return resolve_inside(self.out_dir, name)

    def export(self, format: str = "wav", path: str | None = None, audio: Audio | None = None) -> Path:
        """Write the current version (or ``audio``) into ``out/``; never overwrites an earlier export."""
        fmt = format.lower()
        if fmt not in SAVE_FORMATS:
            raise WorkspaceError(f"cannot export as '{format}' (choose one of {', '.join(SAVE_FORMATS)})")
        if path:
            dest = self.resolve_output(path)
            if dest.suffix.lower().lstrip(".") != fmt:
                dest = dest.with_name(dest.name + f".{fmt}")
        else:
            stem = Path(self._m["versions"][0]["path"]).stem
            dest = self.out_dir / f"{stem}-v{self.current.id}.{fmt}"
        dest = unique_path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        save_audio(dest, audio or self.current_audio(), clip="clamp")
        self._m["exports"].append({"time": _now(), "version": self.current.id, "path": str(dest)})
        self._save()
        return dest


def resolve_inside(folder: Path, name: str) -> Path:
    """Resolve ``name`` relative to ``folder``; refuse absolute paths, '..' and symlinks out."""
    if not name or not str(name).strip():
        raise WorkspaceError("empty output path")
    p = Path(name)
    base = folder.resolve()
    if p.is_absolute():
        candidate = p.resolve()
    else:
        candidate = (folder / p).resolve()  # follows symlinks, so a link pointing out is caught
    if candidate != base and base not in candidate.parents:
        raise WorkspaceError(f"refusing to write '{name}': it is outside the output folder {folder}")
    return candidate


def unique_path(path: Path) -> Path:
    """``path`` if free, else ``name-2.ext``, ``name-3.ext`` ...: exports never overwrite."""
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1
