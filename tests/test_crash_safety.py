"""kill -9 at any moment: `chat` and `do` are killed at random times and at chosen file commits,
in real subprocesses, again and again on one session; after every kill the session is whole
(manifest loads, every listed version exists and decodes to its recorded length, no partial
file under a final name, the original byte-identical, no version rewritten), and the next
command carries on with the same session and sweeps what the killed one left behind.

The engine is ``dummy`` and the edits are cheap ones, so a process spends its time in the
workspace's file handling, which is what is under test (~25 s for the module on 2 cores).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers.session_check import dead_orphans, session_state

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CRASHPOINT = Path(__file__).parent / "helpers" / "crashpoint.py"
EDITS = "gain -3 dB\nfade out 1 second\nnormalize\nundo\nreset\ngain +2 dB\n"
CHEAP = ["--planner", "rules", "--engine", "dummy", "--no-judge"]


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, SAMAUDIO_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    e.pop("OPENAI_API_KEY", None)  # the rules planner, never a network one
    return e


@pytest.fixture
def song(tmp_path):
    sr = 16_000
    t = np.arange(2 * sr) / sr
    x = np.stack([0.3 * np.sin(2 * np.pi * 220 * t), 0.2 * np.sin(2 * np.pi * 330 * t)])
    path = tmp_path / "in" / "song.wav"
    path.parent.mkdir()
    sf.write(path, x.T, sr, subtype="PCM_16")
    return path


def _chat(song: Path, session: str = "s") -> list[str]:
    return ["chat", str(song), "--session", session, *CHEAP]


def _popen(args: list[str], env: dict, stdin: str = "") -> subprocess.Popen:
    with tempfile.TemporaryFile("w+") as fh:  # the child reads its instructions from a file
        fh.write(stdin)
        fh.seek(0)
        return subprocess.Popen(
            args, env=env, cwd=REPO, stdin=fh, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def _check_and_grow(folder: Path, song_bytes: bytes, seen: dict[int, str]) -> None:
    """The session is whole and every version seen before is still there, unchanged."""
    if not (folder / "manifest.json").exists():  # killed before the session was renamed into place
        assert not seen and not folder.exists()
        return
    now = session_state(folder, song_bytes)
    for vid, digest in seen.items():
        assert now.get(vid) == digest, f"version {vid} was lost or rewritten"
    seen.update(now)


def _continue_and_check(song: Path, env: dict, folder: Path, seen: dict[int, str]) -> None:
    """The next command resumes the session, adds a version, and sweeps the dead one's leftovers."""
    before = len(seen)
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", *_chat(song)],
        env=env, cwd=REPO, input="gain -1 dB\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Changed the level by -1 dB" in done.stdout
    _check_and_grow(folder, song.read_bytes(), seen)
    assert len(seen) == before + 1  # one new version, none lost
    assert dead_orphans(folder.parent) == []  # nothing half-written left behind


def test_kill_at_chosen_commits(song, env):
    """SIGKILL just before or just after a sampled set of the file commits (renames) of a chat."""
    folder = Path(env["SAMAUDIO_HOME"]) / "sessions" / "s"
    song_bytes, seen = song.read_bytes(), {}
    # A fresh chat of EDITS makes 24 commits (2 for the session, 4 an edit: version, manifest,
    # export, manifest); a resumed one 22. Aim at the first ones (creation), then a sample.
    rng = random.Random(17)
    points = [(1, "before"), (2, "before"), (2, "after")] + [
        (rng.randint(1, 22), rng.choice(["before", "after"])) for _ in range(7)
    ]
    killed = 0
    for k, when in points:
        proc = _popen([sys.executable, str(CRASHPOINT), str(k), when, *_chat(song)], env, EDITS)
        _, err = proc.communicate(timeout=120)
        killed += proc.returncode == -signal.SIGKILL
        assert proc.returncode in (0, -signal.SIGKILL), err
        assert song.read_bytes() == song_bytes  # the input is never written
        _check_and_grow(folder, song_bytes, seen)
    assert killed >= 8  # the points landed inside the runs
    _continue_and_check(song, env, folder, seen)


def test_kill_at_random_times(song, env):
    """SIGKILL at random moments of chat sessions and of `do` runs (separation included)."""
    folder = Path(env["SAMAUDIO_HOME"]) / "sessions" / "s"
    song_bytes, seen = song.read_bytes(), {}
    rng = random.Random(3)
    killed = 0
    runs = [("chat", rng.uniform(0.4, 1.6)) for _ in range(6)] + [("do", rng.uniform(1.0, 3.0)) for _ in range(2)]
    for kind, delay in runs:
        if kind == "chat":
            proc = _popen([sys.executable, "-m", "agent.cli", *_chat(song)], env, EDITS * 2)
        else:
            args = ["do", "remove the wind", str(song), "--session", "s", "--no-memory", *CHEAP]
            proc = _popen([sys.executable, "-m", "agent.cli", *args], env)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        killed += proc.returncode == -signal.SIGKILL
        assert song.read_bytes() == song_bytes
        _check_and_grow(folder, song_bytes, seen)
    assert killed >= 4
    _continue_and_check(song, env, folder, seen)


def test_killed_separate_leaves_the_earlier_output_and_no_partial_file(song, env, tmp_path):
    """`separate` killed before its target (then its residual) lands: the earlier target stays
    whole under its name, and the next run sweeps the temporary files and writes both."""
    out = tmp_path / "out"
    out.mkdir()
    target, residual = out / "target.wav", out / "residual.wav"
    sf.write(target, np.full(800, 0.25, np.float32), 8000)  # an earlier result
    earlier = target.read_bytes()
    args = ["separate", str(song), "--text", "wind", "--engine", "dummy", "-o", str(target), "--residual", str(residual)]
    for k, kept in ((1, earlier), (2, None)):  # commit 1 is the target's rename, 2 the residual's
        proc = _popen([sys.executable, str(CRASHPOINT), str(k), "before", *args], env)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL, err
        if kept is not None:
            assert target.read_bytes() == kept
        assert not residual.exists()
        assert dead_orphans(out)  # the killed writer's temp file, hidden, never under the final name
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["residual.wav", "target.wav"]  # swept
    t, _ = sf.read(target, always_2d=True)
    r, _ = sf.read(residual, always_2d=True)
    x, _ = sf.read(song, always_2d=True)
    assert t.shape == r.shape == x.shape
    np.testing.assert_allclose(t + r, x, atol=2e-4)  # the dummy engine's stems sum to the input
