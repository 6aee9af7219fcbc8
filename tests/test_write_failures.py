"""Read-only places and writes that fail half way: one clear error, the previous state intact.

The machine's tests may run as root, which ignores folder permissions, so a read-only folder is
also simulated at the one place every writer goes through (the temp file beside the
destination); the real ``chmod`` test runs where permissions apply.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import samaudio_core.atomic as atomic
from agent.cli import main
from samaudio_core.audio import Audio, save_audio
from samaudio_core.errors import AudioSaveError, WorkspaceError
from samaudio_core.stream import separate_file
from samaudio_core.workspace import Workspace

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def song(tmp_path):
    sr = 16_000
    x = 0.3 * np.sin(2 * np.pi * 220 * np.arange(3 * sr) / sr)
    path = tmp_path / "song.wav"
    sf.write(path, np.stack([x, 0.5 * x]).T, sr)
    return path


@pytest.fixture
def previous(tmp_path):
    """An earlier result at the destination, which a failed write must leave as it was."""
    folder = tmp_path / "results"
    folder.mkdir()
    dest = folder / "target.wav"
    sf.write(dest, np.full(100, 0.25, np.float32), 8000)
    return dest, dest.read_bytes()


def _deny_folder(monkeypatch, folder: Path):
    """Make ``folder`` refuse new files, as a read-only folder does (EACCES at the temp file)."""
    real = atomic.tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).resolve() == folder.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if atomic.orphan_owner(p.name) is not None)


def test_separate_into_a_read_only_folder(song, previous, monkeypatch, capsys):
    dest, before = previous
    _deny_folder(monkeypatch, dest.parent)
    rc = main(["separate", str(song), "--text", "wind", "--engine", "dummy", "-o", str(dest)])
    assert rc == 2
    assert capsys.readouterr().err.strip() == f"error: {dest}: could not write wav: Permission denied"
    assert dest.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_separate_into_a_chmod_read_only_folder(song, previous, capsys):
    dest, before = previous
    dest.parent.chmod(0o555)
    try:
        rc = main(["separate", str(song), "--text", "wind", "--engine", "dummy", "-o", str(dest)])
    finally:
        dest.parent.chmod(0o755)
    assert rc == 2 and "Permission denied" in capsys.readouterr().err
    assert dest.read_bytes() == before


def test_save_failing_half_way_keeps_the_previous_file(previous, monkeypatch):
    dest, before = previous
    real = sf.write

    def half_then_full(file, data, *args, **kwargs):
        real(file, data[: len(data) // 2], *args, **kwargs)  # half the file is on disk ...
        raise ENOSPC  # ... when the disk fills

    monkeypatch.setattr(sf, "write", half_then_full)
    with pytest.raises(AudioSaveError) as err:
        save_audio(dest, np.zeros((2, 8000), np.float32), 8000)
    assert str(err.value) == f"{dest}: could not write wav: No space left on device"
    assert dest.read_bytes() == before and _leftovers(dest.parent) == []


def test_streamed_write_failing_half_way(song, previous, monkeypatch):
    dest, before = previous
    residual = dest.with_name("residual.wav")
    calls = {"n": 0}
    real = sf.SoundFile.write

    def fill_up(self, data):
        calls["n"] += 1
        if calls["n"] > 1:
            raise ENOSPC
        return real(self, data)

    monkeypatch.setattr(sf.SoundFile, "write", fill_up)
    with pytest.raises(AudioSaveError, match=r"could not write: No space left on device$"):
        separate_file(song, dest, text="mains hum", residual=residual, engine="builtin", stream=True)
    assert calls["n"] == 2  # it failed part way, not before starting
    assert dest.read_bytes() == before and not residual.exists()
    assert _leftovers(dest.parent) == []


def test_a_version_failing_half_way_changes_nothing(tmp_path, song, monkeypatch):
    with Workspace.create(tmp_path / "ws", song) as ws:
        a = ws.current_audio()
        ws.commit(Audio(a.samples * 0.5, a.sample_rate), {"op": "gain", "db": -6})
        manifest = (ws.folder / "manifest.json").read_bytes()
        real = sf.write

        def half_then_full(file, data, *args, **kwargs):
            real(file, data[: len(data) // 2], *args, **kwargs)
            raise ENOSPC

        monkeypatch.setattr(sf, "write", half_then_full)
        with pytest.raises(AudioSaveError, match="No space left on device"):
            ws.commit(Audio(a.samples * 0.25, a.sample_rate), {"op": "gain", "db": -6})
        assert (ws.folder / "manifest.json").read_bytes() == manifest
        assert ws.current.id == 1 and len(ws.versions) == 2
        assert _leftovers(ws.folder / "versions") == [] and not (ws.folder / "versions" / "v0002.wav").exists()
        monkeypatch.setattr(sf, "write", real)
        assert ws.commit(Audio(a.samples * 0.25, a.sample_rate), {"op": "gain", "db": -6}).id == 2  # carries on


def test_a_manifest_that_cannot_be_saved_changes_nothing(tmp_path, song, monkeypatch):
    with Workspace.create(tmp_path / "ws", song) as ws:
        a = ws.current_audio()
        ws.commit(Audio(a.samples * 0.5, a.sample_rate), {"op": "gain", "db": -6})
        manifest = (ws.folder / "manifest.json").read_bytes()

        def fsync(fd):
            raise ENOSPC

        monkeypatch.setattr(atomic.os, "fsync", fsync)
        for edit in (lambda: ws.commit(Audio(a.samples * 0.25, a.sample_rate), {"op": "gain", "db": -6}),
                     ws.undo, ws.reset):  # fmt: skip
            with pytest.raises(WorkspaceError) as err:
                edit()
            assert str(err.value) == (
                f"{ws.folder / 'manifest.json'}: cannot save the session (No space left on device); nothing was changed"
            )
            assert ws.current.id == 1 and [v.id for v in ws.history()] == [0, 1]
        assert (ws.folder / "manifest.json").read_bytes() == manifest
        assert json.loads(manifest)["stack"] == [0, 1]
        assert _leftovers(ws.folder) == []
    monkeypatch.undo()
    with Workspace.open(ws.folder) as again:  # a restart sees the last saved state
        assert again.current.id == 1
        assert again.undo().id == 0


def test_do_into_a_read_only_folder(song, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    out = tmp_path / "ro"
    out.mkdir()
    _deny_folder(monkeypatch, out)
    rc = main(["do", "gain -3 dB", str(song), "-o", str(out / "edited.wav"), "--planner", "rules",
               "--engine", "dummy", "--no-memory", "--no-judge", "--no-progress"])  # fmt: skip
    text = capsys.readouterr()
    assert rc == 1, text
    assert f"{out / 'edited.wav'}: could not write wav: Permission denied" in text.out + text.err
    assert list(out.iterdir()) == []
    # The edit itself is kept in the session: nothing made is lost, only the export failed.
    (session,) = (tmp_path / "home" / "sessions").iterdir()
    with Workspace.open(session) as ws:
        assert ws.current.id == 1
