"""``samaudio separate`` and ``samaudio spans`` end to end on files in tmp_path."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_burst_mix

from agent.cli import main
from samaudio_core import load_audio, si_sdr


@pytest.fixture
def mix_wav(write_audio):
    m = make_burst_mix(sample_rate=16_000, seconds=3.0, channels=2)
    return m, write_audio("mix.wav", m.mix, m.sample_rate)


def test_separate_wav_with_text_and_span(mix_wav, tmp_path, capsys):
    m, path = mix_wav
    out, res = tmp_path / "t.wav", tmp_path / "r.flac"
    code = main(["separate", str(path), "--text", "beep", "--span", "0:00.85-1.35", "-o", str(out),
                 "--residual", str(res), "--no-progress"])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert f"target: {out}" in text and "kind=siren" in text and "mode=text+span" in text
    mix, t, r = load_audio(path), load_audio(out), load_audio(res)
    assert t.samples.shape == r.samples.shape == mix.samples.shape and t.sample_rate == 16_000
    np.testing.assert_allclose(t.samples + r.samples, mix.samples, atol=1e-3)
    assert si_sdr(t.samples, m.target) > si_sdr(mix.samples, m.target) + 6.0


def test_separate_compressed_input_and_output(write_audio, tmp_path):
    m = make_burst_mix(sample_rate=22_050, seconds=3.0)
    src = write_audio("mix.ogg", m.mix, m.sample_rate)
    out = tmp_path / "target.mp3"
    assert main(["separate", str(src), "--text", "the alarm", "-o", str(out), "--no-progress"]) == 0
    t = load_audio(out)
    assert t.sample_rate == 22_050 and t.channels == 1
    assert abs(t.num_samples - m.mix.shape[1]) < 0.1 * 22_050  # mp3 frames pad a little


def test_spans_json_on_wav_and_ogg(mix_wav, write_audio, capsys):
    m, wav = mix_wav
    ogg = write_audio("mix.ogg", m.mix, m.sample_rate)
    for path in (wav, ogg):
        assert main(["spans", str(path), "--text", "beeping", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["kind"] == "siren" and len(data["spans"]) == 2
        for (a, b), (wa, wb) in zip(data["spans"], m.active):
            assert abs(a - wa) < 0.2 and abs(b - wb) < 0.2
    assert main(["spans", str(wav), "--text", "beeping"]) == 0
    lines = capsys.readouterr().out.split()
    assert len(lines) == 2 and all("-" in ln for ln in lines)


def test_long_inputs_stream(mix_wav, tmp_path, monkeypatch, capsys):
    from samaudio_core import stream  # the library decides, the CLI just calls separate_file

    monkeypatch.setattr(stream, "STREAM_MIN_SECONDS", 1.0)
    called = {}
    real = stream.can_stream

    def spy(*a, **kw):
        called["stream"] = real(*a, **kw)
        return called["stream"]

    monkeypatch.setattr(stream, "can_stream", spy)
    _, path = mix_wav
    out = tmp_path / "t.wav"
    assert main(["separate", str(path), "--text", "beep", "--engine", "builtin", "-o", str(out)]) == 0
    assert called["stream"] is True and load_audio(out).num_samples == 48_000


def test_auto_span_reports_detected_spans(mix_wav, tmp_path, capsys):
    _, path = mix_wav
    assert main(["separate", str(path), "--text", "beep", "--auto-span", "-o", str(tmp_path / "t.wav")]) == 0
    assert "spans=" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra",
    [["--box", "0.1,0.1,0.5,0.5"], ["--video", "clip.mp4"], ["--span", "5-4"], ["--point", "1,2,3"]],
)
def test_bad_prompts_exit_2_with_one_line(mix_wav, tmp_path, capsys, extra):
    _, path = mix_wav
    code = main(["separate", str(path), "--text", "beep", *extra, "-o", str(tmp_path / "t.wav")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
