"""Non-destructive session workspace: the original, every version, undo/reset, exports.

Layout of one session folder::

    <root>/<name>/
        manifest.json          # versions, the undo stack, scores; rewritten atomically
        .lock                  # flock held by the one process using the session (locking.py)
        original/<file>        # a copy of the input, never modified (read-only)
        versions/v0001.wav     # one 32-bit float wav per edit (no quantisation between steps)
        out/                   # exports; nothing is written outside this folder

The undo stack holds version ids: an edit pushes a new version, ``undo`` pops, ``reset``
pushes the original again (so a reset can itself be undone). Versions are never deleted,
so nothing a user made is lost.

Crash safety (SIGKILL at any moment, tested in ``tests/test_crash_safety.py``): a session is
built in a hidden folder and renamed into place whole; a version's file is written (temp file,
rename) before the manifest names it, and the manifest is replaced atomically, so the
manifest only ever lists complete files. What a killed process leaves is hidden temporary
files, which the next process on the session removes (:func:`samaudio_core.atomic.sweep_orphans`),
and at most one whole, unlisted version file, which the next edit replaces. A second process
on a session in use gets ``WorkspaceError("session X is in use by process N")``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .atomic import TEMP_TAG, atomic_write_text, current_umask, orphan_owner, pid_alive, sweep_orphans
from .audio import SAVE_FORMATS, Audio, load_audio, save_audio
from .errors import WorkspaceError
from .locking import SessionLock, lock_session

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

    def __init__(self, folder: Path, manifest: dict[str, Any], lock: SessionLock | None = None):
        self.folder = folder
        self._m = manifest
        self._lock = lock or SessionLock(None)

    def close(self) -> None:
        """Release the session's lock (process exit releases it too)."""
        self._lock.release()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        lock = getattr(self, "_lock", None)
        try:
            if lock is not None:
                lock.release()
        except Exception:  # interpreter shutdown: the process exit drops the lock anyway
            pass

    # ----- creation and persistence -------------------------------------------------------
    @classmethod
    def create(
        cls,
        root: str | os.PathLike,
        input_path: str | os.PathLike,
        name: str | None = None,
        out_dir: str | os.PathLike | None = None,
        info: dict[str, Any] | None = None,
    ) -> Workspace:
        """Start a session: validate the input as audio, copy it under ``original/`` read-only.

        ``out_dir`` puts exports in a folder of the caller's choosing instead of ``<session>/out``
        (``samaudio apply --out-dir``); exports are still confined to that one folder.
        ``info``: the input's ``sample_rate``, ``channels`` and ``duration`` when the caller has
        already decoded it in a streamed pass (``samaudio_core.mediascan.scan``), so a long
        file is not loaded whole just to be checked.
        """
        src = Path(input_path)
        if info is None:
            audio = load_audio(src)  # fails early, with a clear message, on bad input
            info = {"sample_rate": audio.sample_rate, "channels": audio.channels, "duration": audio.duration}
        root = Path(root)
        base = (
            safe_name(name)
            if name
            else safe_name(re.sub(r"[^A-Za-z0-9._-]", "_", src.stem)[:80] or "session")
        )
        if name and (root / base / MANIFEST).exists():
            raise WorkspaceError(f"session '{name}' already exists in {root}: open it instead")
        try:
            root.mkdir(parents=True, exist_ok=True)
            if out_dir is not None:
                Path(out_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create the session folder in {root}: {exc.strerror}") from None
        _sweep_creations(root)
        if out_dir is not None:
            _sweep_once(Path(out_dir))
        # The session is built whole in a hidden folder and renamed into place: a crash half
        # way leaves no half-made session under a real name (it would shadow the name, or be
        # taken for a session), only a hidden folder that the next creation removes.
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{base}{TEMP_TAG}{os.getpid()}.", dir=root))
        except OSError as exc:
            raise WorkspaceError(f"cannot create the session folder in {root}: {exc.strerror}") from None
        lock = lock_session(tmp, base)
        try:
            os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes it private (0700); sessions have the usual mode
            (tmp / "original").mkdir()
            (tmp / "versions").mkdir()
            if out_dir is None:
                (tmp / "out").mkdir()
            original = tmp / "original" / src.name
            shutil.copy2(src, original)
            original.chmod(original.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            manifest = {
                "format": 1,
                "name": base,
                "created": _now(),
                "input": str(src.resolve()),
                "sample_rate": int(info["sample_rate"]),
                "channels": int(info["channels"]),
                "duration": float(info["duration"]),
                "versions": [asdict(Version(0, str(original.relative_to(tmp))))],
                "stack": [0],
                "out_dir": str(Path(out_dir).resolve()) if out_dir is not None else None,
                "exports": [],
                "log": [],
            }
            folder = _rename_into_place(tmp, root, base, manifest, exact=bool(name))
        except OSError as exc:
            lock.release()
            shutil.rmtree(tmp, ignore_errors=True)
            raise WorkspaceError(f"cannot create session '{base}' in {root}: {exc.strerror or exc}") from None
        except BaseException:
            lock.release()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return cls(folder, manifest, lock)

    @classmethod
    def open(cls, folder: str | os.PathLike) -> Workspace:
        """Reopen a session folder (after a restart); undo history included."""
        folder = Path(folder)
        path = folder / MANIFEST
        if not path.is_file():
            raise WorkspaceError(f"{folder}: not a samaudio session (no {MANIFEST})")
        lock = lock_session(folder)
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            lock.release()
            raise WorkspaceError(f"{path}: manifest is not valid JSON ({exc})") from None
        except OSError as exc:
            lock.release()
            raise WorkspaceError(f"{path}: cannot read the manifest ({exc.strerror})") from None
        ws = cls(folder, manifest, lock)
        # Holding the lock, remove what a killed predecessor left half-written.
        for sub in (folder, folder / "versions"):
            sweep_orphans(sub)
        _sweep_once(ws.out_dir)
        return ws

    def _save(self, manifest: dict[str, Any] | None = None) -> None:
        """Write ``manifest`` (default: the current one) atomically, then make it current; on
        failure neither the file nor the in-memory state changes."""
        m = self._m if manifest is None else manifest
        try:
            atomic_write_text(self.folder / MANIFEST, json.dumps(m, indent=2))
        except OSError as exc:
            raise WorkspaceError(
                f"{self.folder / MANIFEST}: cannot save the session ({exc.strerror or exc}); nothing was changed"
            ) from None
        self._m = m

    def _edited(self) -> dict[str, Any]:
        """A copy of the manifest to change and hand to :meth:`_save`."""
        return copy.deepcopy(self._m)

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
        return self.audio_info(self.current)

    def audio_info(self, version: Version) -> dict[str, Any]:
        """``duration``, ``sample_rate`` and ``channels`` of one version (no decoding)."""
        return version.info.get("audio") or {
            "duration": self._m["duration"],
            "sample_rate": self._m["sample_rate"],
            "channels": self._m["channels"],
        }

    @property
    def stack(self) -> list[int]:
        """The undo stack: version ids, oldest first; the last is the current version."""
        return list(self._m["stack"])

    @property
    def exports(self) -> list[dict[str, Any]]:
        """Every export so far: ``time``, ``version`` and ``path``."""
        return [dict(e) for e in self._m.get("exports", [])]

    def restore_stack(self, stack: list[int]) -> None:
        """Put the undo stack back to an earlier value of :attr:`stack` (a cancelled job's
        edits come off it); versions made meanwhile stay on disk, as every version does."""
        if not stack or stack[0] != 0 or any(not 0 <= i < len(self._m["versions"]) for i in stack):
            raise WorkspaceError(f"not an undo stack of this session: {stack}")
        if stack != self._m["stack"]:
            self._m["stack"] = list(stack)
            self._m["log"].append({"time": _now(), "action": "restore", "stack": list(stack)})
            self._save()

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
        m = self._edited()
        m["versions"].append(asdict(version))
        m["stack"].append(vid)
        m["log"].append({"time": _now(), "action": "edit", "version": vid, "step": step})
        self._save(m)
        return version

    def set_scores(self, scores: dict[str, float], version_id: int | None = None) -> None:
        vid = self.current.id if version_id is None else version_id
        m = self._edited()
        m["versions"][vid]["scores"] = scores
        self._save(m)

    def undo(self) -> Version:
        """Go back one edit. Raises WorkspaceError at the original."""
        if len(self._m["stack"]) <= 1:
            raise WorkspaceError("nothing to undo: this is the original")
        m = self._edited()
        undone = m["stack"].pop()
        m["log"].append({"time": _now(), "action": "undo", "version": undone})
        self._save(m)
        return self.current

    def reset(self) -> Version:
        """Back to the original (kept on the stack, so the reset can be undone)."""
        if self._m["stack"][-1] != 0:
            m = self._edited()
            m["stack"].append(0)
            m["log"].append({"time": _now(), "action": "reset"})
            self._save(m)
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
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{dest.parent}: cannot create the output folder ({exc.strerror})") from None
        save_audio(dest, audio or self.current_audio(), clip="clamp")
        m = self._edited()
        m["exports"].append({"time": _now(), "version": self.current.id, "path": str(dest)})
        self._save(m)
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


def _rename_into_place(tmp: Path, root: Path, base: str, manifest: dict[str, Any], exact: bool) -> Path:
    """Rename the finished session folder ``tmp`` to ``root/base`` (or ``base-2``, ``base-3``
    ... when taken), writing the manifest with the name it gets. Never reuses a folder.
    ``exact`` (a session the user named): a name another process has just taken is an error."""
    n = 1
    while True:
        folder = root / (base if n == 1 else f"{base}-{n}")
        n += 1
        if folder.exists():
            if exact and (folder / MANIFEST).exists():
                raise WorkspaceError(f"session '{base}' was just started by another process: open it instead")
            continue
        manifest["name"] = folder.name
        atomic_write_text(tmp / MANIFEST, json.dumps(manifest, indent=2))
        try:
            os.rename(tmp, folder)  # fails when another process took the name meanwhile
        except OSError:
            if folder.exists():
                continue
            raise
        return folder


def _sweep_creations(root: Path) -> None:
    """Remove half-built session folders of processes that died while creating them."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        pid = orphan_owner(entry.name)
        if pid is not None and pid != os.getpid() and not pid_alive(pid) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


_swept: set[Path] = set()


def _sweep_once(folder: Path) -> None:
    """Sweep an output folder of orphaned temporary files, once a process: a batch that makes
    thousands of sessions in one shared folder should not list it thousands of times."""
    key = folder.resolve()
    if key not in _swept:
        _swept.add(key)
        sweep_orphans(key)
