"""Workspace: original untouched, versions, undo/reset across restarts, safe exports."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import soundfile as sf

from samaudio_core.audio import Audio, load_audio
from samaudio_core.errors import AudioLoadError, WorkspaceError
from samaudio_core.workspace import Workspace


@pytest.fixture
def song(tmp_path):
    sr = 16000
    x = (0.2 * np.sin(2 * np.pi * 330 * np.arange(sr) / sr)).astype(np.float32)
    path = tmp_path / "in" / "song.wav"
    path.parent.mkdir()
    sf.write(path, np.stack([x, x]).T, sr)
    return path


def test_original_is_copied_and_never_modified(tmp_path, song):
    before = song.read_bytes()
    ws = Workspace.create(tmp_path / "ws", song)
    a = ws.current_audio()
    ws.commit(Audio(a.samples * 0.5, a.sample_rate), {"op": "gain", "db": -6})
    assert song.read_bytes() == before
    assert ws.path_of(ws.original).read_bytes() == before
    assert ws.current.id == 1 and ws.current.parent == 0


def test_undo_reset_and_restart(tmp_path, song):
    ws = Workspace.create(tmp_path / "ws", song, name="demo")
    a = ws.current_audio()
    ws.commit(Audio(a.samples * 0.5, a.sample_rate), {"op": "gain", "db": -6})
    ws.commit(Audio(a.samples * 0.25, a.sample_rate), {"op": "gain", "db": -6})
    assert ws.undo().id == 1
    ws2 = Workspace.open(ws.folder)  # a restart: everything comes back from the manifest
    assert ws2.current.id == 1
    assert np.allclose(ws2.current_audio().samples, a.samples * 0.5, atol=1e-6)
    assert ws2.reset().id == 0
    assert ws2.undo().id == 1  # a reset can be undone
    assert ws2.undo().id == 0
    with pytest.raises(WorkspaceError, match="nothing to undo"):
        ws2.undo()
    assert len(ws2.versions) == 3  # nothing deleted


def test_manifest_is_valid_json_and_scores_are_kept(tmp_path, song):
    ws = Workspace.create(tmp_path / "ws", song)
    a = ws.current_audio()
    ws.commit(a, {"op": "separate", "target": "x", "action": "isolate"}, scores={"overall": 4.1})
    data = json.loads((ws.folder / "manifest.json").read_text())
    assert data["versions"][1]["scores"] == {"overall": 4.1}
    assert not [p for p in ws.folder.iterdir() if p.name.endswith(".tmp")]


def test_exports_stay_inside_and_never_overwrite(tmp_path, song):
    ws = Workspace.create(tmp_path / "ws", song)
    first = ws.export("mp3")
    second = ws.export("mp3")
    assert first != second and first.exists() and second.exists()
    assert first.parent == ws.out_dir.resolve() or first.parent == ws.out_dir
    named = ws.export("flac", "mix/final.flac")
    assert named.name == "final.flac" and load_audio(named).channels == 2
    for bad in ("/etc/passwd", "../escape.wav", "a/../../b.wav"):
        with pytest.raises(WorkspaceError, match="outside the output folder"):
            ws.export("wav", bad)
    (ws.out_dir / "link").symlink_to(tmp_path)
    with pytest.raises(WorkspaceError, match="outside the output folder"):
        ws.export("wav", "link/x.wav")
    with pytest.raises(WorkspaceError, match="cannot export as 'aiff'"):
        ws.export("aiff")


def test_bad_input_creates_no_session(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("nope")
    with pytest.raises(AudioLoadError):
        Workspace.create(tmp_path / "ws", bad)
    assert not (tmp_path / "ws").exists()


def test_names_are_checked_and_sessions_do_not_collide(tmp_path, song):
    with pytest.raises(WorkspaceError, match="invalid session name"):
        Workspace.create(tmp_path / "ws", song, name="../x")
    a = Workspace.create(tmp_path / "ws", song)
    b = Workspace.create(tmp_path / "ws", song)
    assert a.folder != b.folder
    with pytest.raises(WorkspaceError, match="not a samaudio session"):
        Workspace.open(tmp_path)
    assert os.access(a.path_of(a.original), os.W_OK) is False or os.geteuid() == 0


def test_create_with_streamed_info_and_restore_stack(tmp_path):
    from samaudio_core.mediascan import scan

    src = tmp_path / "in.wav"
    sf.write(src, np.full(8000, 0.25, np.float32), 8000)
    found = scan(src)
    ws = Workspace.create(tmp_path / "s", src, info={"sample_rate": found.sample_rate,
                                                     "channels": found.channels, "duration": found.duration})
    assert (ws.duration, ws.audio_info(ws.original)["sample_rate"]) == (1.0, 8000)
    before = ws.stack
    ws.commit(Audio(np.zeros((1, 8000), np.float32), 8000), {"op": "gain", "db": -60})
    assert ws.stack == [0, 1]
    ws.restore_stack(before)
    reopened = Workspace.open(ws.folder)
    assert reopened.stack == [0] and len(reopened.versions) == 2  # the version stays on disk
    with pytest.raises(WorkspaceError, match=r"not an undo stack of this session: \[0, 5\]"):
        ws.restore_stack([0, 5])
