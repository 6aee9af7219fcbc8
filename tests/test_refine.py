"""Judge-gated refinement with the deterministic dummy engine: attempts recorded, best kept."""

from __future__ import annotations

import numpy as np
import pytest

from samaudio_core import Audio, separate
from samaudio_core.engines import SeparationResult, load_engine
from samaudio_core.judge import Judge
from samaudio_core.prompts import Prompt
from samaudio_core.refine import MAX_CANDIDATES, MIN_GAIN, REMASK_GAIN, refine, remask

SR = 16_000


@pytest.fixture(autouse=True)
def _no_other_engines(monkeypatch):
    # Keep the ladder on the dummy engine: other registered engines are slow or need weights.
    monkeypatch.setattr("samaudio_core.refine._other_engines", lambda engine: [])


@pytest.fixture(scope="module")
def mixture() -> Audio:
    """3 s: alarm beeps from 1.0 to 2.0 s over steady low noise."""
    rng = np.random.default_rng(0)
    t = np.arange(3 * SR) / SR
    beep = np.sin(2 * np.pi * 1500 * t) * ((t > 1.0) & (t < 2.0)) * ((t % 0.2) < 0.1)
    noise = 0.05 * rng.standard_normal(t.size)
    return Audio((0.3 * beep + noise)[None].astype(np.float32), SR)


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge()


def test_ladder_records_every_attempt_and_keeps_the_best(mixture, judge):
    res = refine(mixture, Prompt(text="alarm beeping"), "dummy", candidates=3, threshold=5.0, judge=judge)
    attempts = res.info["attempts"]
    assert 2 <= len(attempts) <= 3
    assert attempts[0]["strategy"] == "text"
    for a in attempts:
        if a["strategy"] == "text+auto-spans":
            assert a["spans"] and all(0 <= lo < hi <= 3.0 for lo, hi in a["spans"])
    for a in attempts:
        assert set(a["scores"]) == {"overall", "recall", "precision", "faithfulness"}
        assert a["seconds"] >= 0
    best = max(a["scores"]["overall"] for a in attempts)
    kept = attempts[res.info["kept_attempt"]]["scores"]["overall"]
    assert res.info["judge"]["overall"] == kept
    # The best is kept, unless it beat the kept one by less than its strategy's noise margin.
    for a in attempts:
        margin = REMASK_GAIN if a["strategy"] == "soften-mask" else MIN_GAIN
        assert a["scores"]["overall"] <= kept + margin
    assert kept <= best
    # The kept stems are the ones that earned the kept score, and still add up to the input.
    rescored = judge.score(mixture, res.target, "alarm beeping", sample_rate=SR)
    assert rescored.overall == pytest.approx(kept, abs=1e-3)
    np.testing.assert_allclose(res.target + res.residual, mixture.samples, atol=1e-4)
    assert res.info["passed"] is False


def test_spans_beat_a_blind_half_mix(mixture, judge):
    # The dummy engine keeps half of everything for a text prompt, and exactly the span when
    # given one: with the span as prompt the judge must prefer the span output.
    half = load_engine("dummy").separate(mixture, Prompt(text="alarm beeping"))
    spanned = load_engine("dummy").separate(mixture, Prompt(text="alarm beeping", spans=((1.0, 2.0),)))
    s_half = judge.score(mixture, half.target, "alarm beeping", sample_rate=SR)
    s_span = judge.score(mixture, spanned.target, "alarm beeping", sample_rate=SR)
    assert s_span.overall > s_half.overall


def test_stops_early_when_the_threshold_is_met(mixture, judge):
    res = refine(mixture, Prompt(text="alarm beeping"), "dummy", candidates=4, threshold=1.0, judge=judge)
    assert len(res.info["attempts"]) == 1
    assert res.info["passed"] is True


def test_time_budget_and_candidate_cap(mixture, judge):
    res = refine(
        mixture,
        Prompt(text="alarm beeping"),
        "dummy",
        candidates=5,
        threshold=5.0,
        time_budget_s=0.0,
        judge=judge,
    )
    assert len(res.info["attempts"]) == 1  # the first attempt always runs, nothing after it
    res = refine(mixture, Prompt(text="alarm beeping"), "dummy", candidates=99, threshold=5.0, judge=judge)
    assert len(res.info["attempts"]) <= MAX_CANDIDATES


def test_separate_with_candidates_goes_through_refinement(mixture):
    res = separate(mixture, text="alarm beeping", engine="dummy", candidates=2, threshold=5.0)
    assert 1 <= len(res.info["attempts"]) <= 2
    assert res.target.shape == mixture.samples.shape
    assert "judge" in res.info


def test_remask_keeps_the_mixture_and_moves_the_mask(mixture):
    x = mixture.samples
    # A soft result: 90 % of the input inside the span, 20 % outside it.
    gain = np.where((np.arange(x.shape[1]) > SR) & (np.arange(x.shape[1]) < 2 * SR), 0.9, 0.2)[None]
    base = SeparationResult((gain * x).astype(np.float32), ((1 - gain) * x).astype(np.float32), SR)
    same = remask(base, x, 1.0)
    np.testing.assert_allclose(same.target + same.residual, x, atol=1e-5)
    outside = slice(0, int(0.9 * SR))

    def energy(res):
        return float(np.sum(res.target[:, outside] ** 2))

    # The implied power mask is 0.2^2 / (0.2^2 + 0.8^2) outside the span: softer keeps more.
    soft, sharp = remask(base, x, 0.5), remask(base, x, 2.0)
    assert energy(sharp) < energy(same) < energy(soft)
    np.testing.assert_allclose(sharp.target + sharp.residual, x, atol=1e-5)


def test_a_failing_strategy_is_recorded_not_fatal(mixture, judge, monkeypatch):
    monkeypatch.setattr("samaudio_core.refine._other_engines", lambda engine: ["no-such-engine"])
    monkeypatch.setattr("samaudio_core.refine._auto_spans", lambda audio, prompt: None)
    res = refine(mixture, Prompt(text="alarm beeping"), "dummy", candidates=3, threshold=5.0, judge=judge)
    strategies = [a["strategy"] for a in res.info["attempts"]]
    assert strategies == ["text", "engine:no-such-engine", "soften-mask"]
    failed = res.info["attempts"][1]
    assert "no-such-engine" in failed["error"] and "scores" not in failed
    assert res.info["strategy"] in ("text", "soften-mask")


def test_builtin_ladder_tries_the_mask_network_once(mixture, judge, monkeypatch):
    from samaudio_core.builtin.engine import BuiltinEngine
    from samaudio_core.masknet import MaskRefiner
    from samaudio_core.refine import _with_mask_network

    monkeypatch.setattr(MaskRefiner, "available", staticmethod(lambda: True))
    engine = BuiltinEngine(use_embeddings=False, detector="classic")
    net = _with_mask_network(engine)
    assert net.mask_net is True and net.detector == "classic" and net.use_embeddings is False
    # Only the engine that leaves the choice to "auto" gets the extra rung.
    assert _with_mask_network(BuiltinEngine(mask_net=False)) is None
    assert _with_mask_network(load_engine("dummy")) is None
    calls = []
    monkeypatch.setattr(BuiltinEngine, "separate", lambda self, audio, prompt, progress=False: (
        calls.append(self.mask_net) or SeparationResult(audio.samples * 0.5, audio.samples * 0.5, SR, {})))
    res = refine(mixture, Prompt(text="alarm beeping"), engine, candidates=4, threshold=5.0, judge=judge)
    strategies = [a["strategy"] for a in res.info["attempts"]]
    assert strategies[:3] == ["text", "text+auto-spans", "mask-network"]
    assert calls[:3] == ["auto", "auto", True]


def test_a_given_first_attempt_is_the_first_rung_and_not_recomputed(mixture, judge):
    engine = load_engine("dummy")
    prompt = Prompt(text="alarm beeping")
    first = engine.separate(mixture, prompt)
    calls = []
    original = engine.separate
    engine.separate = lambda *a, **kw: calls.append(a[1]) or original(*a, **kw)
    res = refine(mixture, prompt, engine, candidates=2, threshold=5.0, judge=judge, first=first)
    attempts = res.info["attempts"]
    assert attempts[0]["strategy"] == "text" and attempts[0]["reused"] is True
    assert prompt not in calls  # the prompt as given ran once, before refine
    if res.info["kept_attempt"] == 0:
        assert res.target is first.target
