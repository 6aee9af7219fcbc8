"""The reference-free judge ranks separations the way their true quality does.

Every case is synthesised here: an intermittent target (alarm beeps, or piano-like notes)
inside a different background (broadband noise, or rain-like crackle), at 0 dB. The judge
never sees the clean stems; the tests compare its scores against what we built.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from agent.cli import main
from samaudio_core import Audio, save_audio
from samaudio_core.errors import EngineUnavailableError, UnknownEngineError
from samaudio_core.judge import Judge, JudgeScore, judge_status

SR = 16_000
N = 3 * SR


def _beeps(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(N) / SR
    gate = ((t % 0.5) < 0.25).astype(float)
    gate = np.convolve(gate, np.hanning(161) / np.hanning(161).sum(), mode="same")
    return gate * (np.sin(2 * np.pi * 1200 * t) + 0.3 * np.sin(2 * np.pi * 2400 * t))


def _notes(rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(N)
    for start in range(0, N, SR // 2):
        k = np.arange(N - start)
        f0 = 220 * 2 ** (rng.integers(0, 12) / 12)
        note = sum(np.sin(2 * np.pi * f0 * h * k / SR) / h for h in range(1, 8))
        out[start:] += note * np.exp(-k / (0.25 * SR))
    return out


def _noise(rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(N)


def _crackle(rng: np.random.Generator) -> np.ndarray:
    clicks = (rng.random(N) < 0.006) * rng.standard_normal(N) * 8
    return np.convolve(clicks, np.exp(-np.arange(40) / 6), mode="same") + 0.2 * rng.standard_normal(N)


def _unit(y: np.ndarray) -> np.ndarray:
    return y / np.sqrt(np.mean(y**2))


CASES = {
    "alarm beeping": (_beeps, _noise),
    "piano": (_notes, _crackle),
}


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge()


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    rng = np.random.default_rng(7)
    make_t, make_r = CASES[request.param]
    # RMS 0.05 each: the crackle's clicks stay below full scale, so saving to a file clips nothing.
    target, rest = 0.05 * _unit(make_t(rng)), 0.05 * _unit(make_r(rng))
    return request.param, target, rest


def _score(judge: Judge, target, rest, out, text) -> JudgeScore:
    return judge.score((target + rest)[None], np.asarray(out)[None], text, sample_rate=SR)


def _leak(target, rest, db):
    return target + rest * np.sqrt(np.mean(target**2) / np.mean(rest**2) * 10 ** (db / 10))


def test_clean_beats_leaky_beats_wrong_stem(judge, case):
    text, target, rest = case
    clean = _score(judge, target, rest, target, text)
    leaky = _score(judge, target, rest, _leak(target, rest, -3.0), text)
    wrong = _score(judge, target, rest, rest, text)
    assert clean.overall > leaky.overall > wrong.overall
    assert clean.precision > leaky.precision
    # The wrong stem holds none of the prompted sound and all of the rest.
    assert wrong.recall < clean.recall and wrong.precision < clean.precision


def test_leakage_is_graded(judge, case):
    text, target, rest = case
    scores = [_score(judge, target, rest, _leak(target, rest, db), text).overall for db in (-20, -10, 0)]
    assert scores[0] > scores[1] > scores[2]


def test_mixture_itself_has_poor_precision(judge, case):
    text, target, rest = case
    clean = _score(judge, target, rest, target, text)
    mixture = _score(judge, target, rest, target + rest, text)
    assert mixture.precision < clean.precision - 0.5
    assert mixture.overall < clean.overall


def test_distortion_scores_below_clean(judge, case):
    text, target, rest = case
    clean = _score(judge, target, rest, target, text)
    peak = np.abs(target).max()
    clipped = _score(judge, target, rest, np.clip(target, -0.2 * peak, 0.2 * peak), text)
    assert clipped.overall < clean.overall
    assert clipped.faithfulness < clean.faithfulness


def test_musical_noise_scores_below_clean(judge, case):
    from scipy import signal

    text, target, rest = case
    rng = np.random.default_rng(3)
    _, _, X = signal.stft(target + rest, nperseg=1024)
    _, _, T = signal.stft(target, nperseg=1024)
    _, _, R = signal.stft(rest, nperseg=1024)
    mask = np.abs(T) ** 2 / (np.abs(T) ** 2 + np.abs(R) ** 2 + 1e-12)
    # Random holes in the mask and random isolated openings: the classic "birdies".
    noisy = np.clip(mask * (rng.random(mask.shape) > 0.5) + (rng.random(mask.shape) < 0.1), 0, 1)
    out = signal.istft(X * noisy, nperseg=1024)[1][:N]
    clean = _score(judge, target, rest, target, text)
    assert _score(judge, target, rest, out, text).overall < clean.overall


@pytest.mark.parametrize("gain", [0.0, 1e-3])
def test_silence_gets_low_recall(judge, case, gain):
    text, target, rest = case
    score = _score(judge, target, rest, gain * target, text)
    assert score.recall <= 1.5
    assert score.overall <= 2.0


def test_inputs_as_paths_audio_and_arrays_agree(judge, case, tmp_path):
    text, target, rest = case
    mix_p = save_audio(tmp_path / "mix.wav", (target + rest)[None], SR)
    out_p = save_audio(tmp_path / "out.wav", target[None], SR)
    by_path = judge.score(mix_p, out_p, text)
    by_audio = judge.score(Audio((target + rest)[None], SR), Audio(target[None], SR), text)
    assert by_path.overall == pytest.approx(by_audio.overall, abs=0.05)
    with pytest.raises(ValueError, match="sample_rate"):
        judge.score((target + rest)[None], target[None], text)


def test_scores_are_on_the_1_to_5_scale(judge, case):
    text, target, rest = case
    score = _score(judge, target, rest, _leak(target, rest, -10), text)
    assert set(score.to_dict()) == {"overall", "recall", "precision", "faithfulness"}
    assert all(1.0 <= v <= 5.0 for v in score.to_dict().values())
    with pytest.raises(AttributeError):
        score.overall = 5.0  # frozen


def test_unknown_and_unavailable_judges():
    with pytest.raises(UnknownEngineError, match="builtin"):
        Judge(engine="no-such-judge")
    rows = {r["name"]: r for r in judge_status()}
    assert rows["builtin"]["usable"]
    if not rows["sam-audio-judge"]["usable"]:
        with pytest.raises(EngineUnavailableError, match="sam-audio-judge"):
            Judge(engine="sam-audio-judge")


def test_cli_judge_json(case, tmp_path, capsys):
    text, target, rest = case
    mix_p = save_audio(tmp_path / "mix.wav", (target + rest)[None], SR)
    good_p = save_audio(tmp_path / "good.wav", target[None], SR)
    bad_p = save_audio(tmp_path / "bad.wav", rest[None], SR)
    assert main(["judge", str(mix_p), str(good_p), "--text", text, "--json"]) == 0
    good = json.loads(capsys.readouterr().out)
    assert main(["judge", str(mix_p), str(bad_p), "--text", text, "--json"]) == 0
    bad = json.loads(capsys.readouterr().out)
    assert {"overall", "recall", "precision", "faithfulness", "evidence"} <= set(good)
    assert good["overall"] > bad["overall"]
    assert main(["judge", str(mix_p), str(good_p), "--text", text]) == 0
    assert "overall" in capsys.readouterr().out
    assert main(["judge", str(mix_p), str(tmp_path / "missing.wav"), "--text", text]) == 2


def test_sam_audio_judge_is_used_through_the_same_interface(monkeypatch):
    import samaudio_core.judge_sam as judge_sam

    calls = []

    class StandIn:
        def __init__(self, **options):
            self.options = options

        def status(self):
            return None

        def score(self, mixture, separated, text, sample_rate=None):
            calls.append((text, sample_rate))
            return JudgeScore(4.0, 3.0, 2.0, 1.0)

    monkeypatch.setattr(judge_sam, "SamAudioJudge", StandIn)
    judge = Judge(engine="sam-audio-judge", model="/nowhere")
    assert judge.score(np.zeros((1, SR)), np.zeros((1, SR)), "dog", sample_rate=SR) == JudgeScore(
        4.0, 3.0, 2.0, 1.0
    )
    assert calls == [("dog", SR)]

    class Unusable(StandIn):
        def status(self):
            return "no weights"

    monkeypatch.setattr(judge_sam, "SamAudioJudge", Unusable)
    with pytest.raises(EngineUnavailableError, match="no weights"):
        Judge(engine="sam-audio-judge")


def test_uncalibrated_fallback_still_orders_the_basics(case, tmp_path):
    text, target, rest = case
    with pytest.warns(UserWarning, match="calibration not found"):
        judge = Judge(calibration=str(tmp_path / "missing.json"))
    clean = _score(judge, target, rest, target, text)
    assert clean.overall > _score(judge, target, rest, rest, text).overall
    assert clean.precision > _score(judge, target, rest, target + rest, text).precision
    assert _score(judge, target, rest, 0.0 * target, text).recall == 1.0
