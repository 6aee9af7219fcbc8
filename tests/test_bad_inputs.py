"""The bad-input matrix (tests/matrix/bad_inputs.yaml): each row makes an input, runs one CLI
command on it in-process, and checks the exit code, the message, and the outputs' shape.

A crash is an exception out of ``agent.cli.main``: the row fails with its traceback. The
schema is documented at the top of the YAML file; adding a case is adding a row there.
"""

from __future__ import annotations

import io
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from agent.cli import main
from samaudio_core.audio import load_audio, save_audio

MATRIX = yaml.safe_load((Path(__file__).parent / "matrix" / "bad_inputs.yaml").read_text(encoding="utf-8"))
EXT = {"wav": "wav", "float": "wav", "flac": "flac", "mp3": "mp3", "ogg": "ogg"}


def _signal(kind: str, n: int, rate: int, channels: int) -> np.ndarray:
    rng = np.random.default_rng(n + channels)
    t = np.arange(n) / rate
    if kind == "noise":
        x = 0.1 * rng.standard_normal((channels, n))
    elif kind == "tone":
        x = np.tile(0.3 * np.sin(2 * np.pi * 440 * t), (channels, 1))
    elif kind == "silence":
        x = np.zeros((channels, n))
    elif kind == "dc":
        x = np.full((channels, n), 0.5)
    elif kind == "clipped":  # a sine driven 4x into full scale: flat tops at exactly +-1
        x = np.tile(np.clip(4 * np.sin(2 * np.pi * 220 * t), -1, 1), (channels, 1))
    elif kind in ("nan", "inf"):
        x = 0.1 * rng.standard_normal((channels, n))
        x[:, n // 2] = np.nan if kind == "nan" else np.inf
    else:
        raise ValueError(f"unknown signal {kind!r} in the matrix")
    return x.astype(np.float32)


def make_input(spec: dict, folder: Path) -> Path:
    """The file a row describes (see the YAML header)."""
    fmt, damage = spec.get("format", "wav"), spec.get("damage")
    path = folder / f"input.{EXT[fmt]}"
    if damage in ("empty", "text", "missing", "folder") or (isinstance(damage, dict) and "random" in damage):
        if damage == "empty":
            path.write_bytes(b"")
        elif damage == "text":
            path.write_text("this is not audio\n" * 50)
        elif damage == "folder":
            path.mkdir()
        elif isinstance(damage, dict):
            path.write_bytes(np.random.default_rng(damage["random"]).bytes(damage["random"]))
        return path
    rate, channels = spec.get("rate", 44100), spec.get("channels", 2)
    n = spec["samples"] if "samples" in spec else max(1, round(spec.get("seconds", 0.5) * rate))
    x = _signal(spec.get("signal", "noise"), n, rate, channels)
    if fmt in ("wav", "float", "flac") and n > 10 * rate * 60:  # long inputs: write in pieces
        with sf.SoundFile(path, "w", rate, channels, subtype="PCM_16") as f:
            for i in range(0, n, rate * 600):
                f.write(x[:, i : i + rate * 600].T)
    elif fmt in ("wav", "float", "flac"):
        sf.write(path, x.T, rate, subtype={"wav": "PCM_16", "float": "FLOAT", "flac": "PCM_16"}[fmt])
    else:
        save_audio(path, x, rate)
    if isinstance(damage, dict):
        data = bytearray(path.read_bytes())
        if "cut" in damage:
            data = data[: int(len(data) * damage["cut"])]
        if "corrupt" in damage:
            at = int(len(data) * damage["corrupt"])
            data[at : at + 600] = np.random.default_rng(1).bytes(600)
        path.write_bytes(bytes(data))
    return path


def _fill(args, **values):
    return [a.format(**values) for a in args]


ROWS = [
    pytest.param(row, id=row["id"], marks=[pytest.mark.slow] if row.get("slow") else [])
    for row in MATRIX["rows"]
]


@pytest.mark.parametrize("row", ROWS)
def test_bad_input_row(row, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SAMAUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out = tmp_path / "out"
    out.mkdir()
    src = make_input(row["input"], tmp_path)
    before = src.read_bytes() if src.is_file() else None
    values = {"input": str(src), "out": str(out)}
    monkeypatch.setattr("sys.stdin", io.StringIO(row.get("stdin", "")))
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # every degraded-mode warning reaches stderr, each time
        rc = main(_fill(MATRIX["commands"][row["command"]], **values))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    expect = row["expect"]
    assert rc == expect["exit"], text
    assert "Traceback" not in text
    says = expect.get("says", [])
    for fragment in [says] if isinstance(says, str) else says:
        assert fragment in text
    if expect.get("not_says"):
        assert expect["not_says"] not in text
    if rc == 2:
        last = captured.err.strip().splitlines()[-1]
        assert last.startswith("error: ") and "\n" not in last
        if row["input"].get("damage"):
            assert str(src) in last  # a decoder failure names the file
    if before is not None:
        assert src.read_bytes() == before  # the input is never written
    if expect.get("shape"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            given = load_audio(src)  # what the commands were given (a damaged file: what was read)
        for dest in _fill(MATRIX["outputs"][row["command"]], **values):
            info = sf.info(dest)
            assert (info.channels, info.samplerate) == (given.channels, given.sample_rate), dest
            if expect["shape"] == "same":
                assert info.frames == given.num_samples, dest
            else:
                assert abs(info.frames / info.samplerate - expect["shape"]["seconds"]) < 1e-3
            if info.frames <= 10_000_000:
                data, _ = sf.read(dest, dtype="float32")
                assert np.all(np.isfinite(data))
    shutil.rmtree(tmp_path, ignore_errors=True)  # the two-hour row writes ~300 MB: do not keep it
