"""Two processes, one session: the second gets "session X is in use by process N", and a
killed holder never leaves the session stuck (the kernel drops its flock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from samaudio_core.errors import WorkspaceError
from samaudio_core.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
CHEAP = ["--planner", "rules", "--engine", "dummy", "--no-judge"]


@pytest.fixture
def song(tmp_path):
    sr = 16_000
    x = 0.3 * np.sin(2 * np.pi * 220 * np.arange(sr) / sr)
    path = tmp_path / "song.wav"
    sf.write(path, x, sr)
    return path


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, SAMAUDIO_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    e.pop("OPENAI_API_KEY", None)
    return e


def _cli(args, env, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args], env=env, cwd=REPO, input=stdin,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_second_process_is_refused_while_the_first_holds_the_session(song, env):
    holder = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "chat", str(song), "--session", "s", *CHEAP],
        env=env, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        holder.stdin.write("gain -3 dB\n")
        holder.stdin.flush()
        assert holder.stdout.readline().startswith("Changed the level by -3 dB")  # it holds the session now
        busy = f"error: session s is in use by process {holder.pid}: wait for it to finish or use another session"
        second_chat = _cli(["chat", str(song), "--session", "s", *CHEAP], env, "gain -6 dB\n")
        assert (second_chat.returncode, second_chat.stderr.strip()) == (2, busy)
        second_do = _cli(["do", "gain -6 dB", str(song), "--session", "s", "--no-memory", *CHEAP], env)
        assert second_do.returncode == 1 and f"Skipping {song}: session s is in use by process {holder.pid}" in second_do.stderr
        other = _cli(["do", "gain -6 dB", str(song), "--session", "t", "--no-memory", *CHEAP], env)
        assert other.returncode == 0, other.stderr  # another session is free
    finally:
        holder.send_signal(signal.SIGKILL)  # dies holding the lock
        holder.communicate(timeout=60)
    after = _cli(["chat", str(song), "--session", "s", *CHEAP], env, "gain -6 dB\n")
    assert after.returncode == 0, after.stderr  # the kernel released the dead holder's lock
    assert "resumed at version 1" in after.stderr and "Changed the level by -6 dB" in after.stdout
    with Workspace.open(Path(env["SAMAUDIO_HOME"]) / "sessions" / "s") as ws:
        assert [v.id for v in ws.history()] == [0, 1, 2]  # both edits kept, none lost


def test_one_process_may_hold_a_session_twice_and_close_releases_it(tmp_path, song):
    ws = Workspace.create(tmp_path / "ws", song, name="demo")
    again = Workspace.open(ws.folder)  # same process: shares the lock (a restart in a test, say)
    assert again.current.id == 0
    again.close()
    ws.close()
    probe = subprocess.run(  # another process can take it now
        [sys.executable, "-c", "import sys; from samaudio_core.workspace import Workspace; Workspace.open(sys.argv[1])", str(ws.folder)],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr


def test_open_names_the_holder(tmp_path, song):
    ws = Workspace.create(tmp_path / "ws", song, name="demo")
    code = (
        "import sys\nfrom samaudio_core.workspace import Workspace\n"
        "try:\n    Workspace.open(sys.argv[1])\nexcept Exception as e:\n    print(type(e).__name__, e)\n"
    )
    probe = subprocess.run(
        [sys.executable, "-c", code, str(ws.folder)], cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert probe.stdout.strip() == (
        f"WorkspaceError session demo is in use by process {os.getpid()}: wait for it to finish or use another session"
    )
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(tmp_path / "ws", song, name="demo")
    ws.close()
