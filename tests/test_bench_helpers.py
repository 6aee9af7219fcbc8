"""Tests of the dev-set mixing helpers and the benchmark's scoring, on synthetic audio only."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_separation as bench  # noqa: E402
import devset_lib as lib  # noqa: E402

from samaudio_core.metrics import si_sdr, si_sdr_improvement  # noqa: E402

SR = 16000


def _burst(n: int, start: float, end: float, freq: float = 440.0) -> np.ndarray:
    x = np.zeros((1, n), np.float32)
    a, b = int(start * SR), int(end * SR)
    t = np.arange(b - a) / SR
    x[0, a:b] = 0.5 * np.sin(2 * np.pi * freq * t)
    return x


@pytest.mark.parametrize("snr", [-5.0, 0.0, 7.5])
def test_scale_to_snr_hits_requested_ratio(snr):
    rng = np.random.default_rng(1)
    target = rng.standard_normal((2, SR)).astype(np.float32)
    rest = 3 * rng.standard_normal((2, SR)).astype(np.float32)
    scaled = lib.scale_to_snr(target, rest, snr)
    assert lib.snr_db(scaled, rest) == pytest.approx(snr, abs=0.01)


def test_quantized_stems_sum_exactly_after_a_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    target = rng.standard_normal((2, SR)).astype(np.float32)
    rest = rng.standard_normal((2, SR)).astype(np.float32)
    t16, r16, m16 = lib.quantize_stems(target, rest, peak=0.8)
    for name, arr in (("t", t16), ("r", r16), ("m", m16)):
        sf.write(tmp_path / f"{name}.wav", arr.T, SR, subtype="PCM_16")
    t, r, m = (sf.read(tmp_path / f"{k}.wav", dtype="float32")[0] for k in "trm")
    assert np.array_equal(t + r, m)
    assert np.max(np.abs(m)) == pytest.approx(0.8, abs=1e-3)
    # One common gain: the stems keep their relative level.
    assert lib.snr_db(t.T, r.T) == pytest.approx(lib.snr_db(target, rest), abs=0.01)


def test_active_spans_find_bursts_and_bridge_short_gaps():
    n = 5 * SR
    x = _burst(n, 0.5, 1.0) + _burst(n, 1.1, 1.5) + _burst(n, 3.0, 4.0)
    spans = lib.active_spans(x, SR)
    assert len(spans) == 2  # the 0.1 s gap is bridged, the 1.5 s one is not
    assert spans[0][0] == pytest.approx(0.5, abs=0.03) and spans[0][1] == pytest.approx(1.5, abs=0.03)
    assert spans[1][0] == pytest.approx(3.0, abs=0.03) and spans[1][1] == pytest.approx(4.0, abs=0.03)
    assert lib.active_spans(np.zeros((1, n), np.float32), SR) == []


def test_given_span_is_short_inside_the_target_where_it_is_clearest():
    n = 6 * SR
    target = _burst(n, 0.5, 2.5) + _burst(n, 3.5, 5.5)
    rng = np.random.default_rng(3)
    rest = 0.05 * rng.standard_normal((1, n)).astype(np.float32)
    rest[:, : 3 * SR] *= 20  # loud interference over the first burst
    active = lib.active_spans(target, SR)
    (span,) = lib.pick_given_spans(target, rest, SR, active, count=1)
    assert 0.5 <= span[1] - span[0] <= 2.0 + 1e-6
    assert 3.5 - 0.03 <= span[0] and span[1] <= 5.5 + 0.03
    two = lib.pick_given_spans(target, rest, SR, active, count=2)
    assert len(two) == 2 and two[0] == span


def test_place_events_spreads_clips_without_overlap():
    rng = np.random.default_rng(4)
    clips = [np.ones((1, int(0.4 * SR)), np.float32) for _ in range(3)]
    track, placed = lib.place_events(clips, 8 * SR, SR, rng, cover=0.4)
    assert track.shape == (1, 8 * SR)
    onsets = sorted(t for _, t in placed)
    assert len(onsets) >= 3
    assert all(b - a >= 0.4 for a, b in zip(onsets, onsets[1:]))
    assert track.max() <= 10 ** (3 / 20) + 1e-6  # no two clips summed on top of each other
    active = float(np.mean(np.abs(track[0]) > 1e-3))
    assert 0.1 < active < 0.6


def test_gate_makes_a_continuous_source_intermittent():
    rng = np.random.default_rng(5)
    x = np.ones((1, 10 * SR), np.float32)
    gated = lib.gate(x, SR, rng)
    on = float(np.mean(gated[0] > 0.5))
    assert 0.25 < on < 0.75
    assert float(np.mean(gated[0] < 1e-3)) > 0.2


def test_loop_to_length_and_fades():
    x = np.ones((2, SR), np.float32)
    looped = lib.loop_to_length(x, int(2.5 * SR), SR)
    assert looped.shape == (2, int(2.5 * SR))
    assert np.allclose(looped, 1.0, atol=1e-5)  # a constant stays constant across crossfades
    faded = lib.fade_edges(x, 100)
    assert faded[0, 0] == 0.0 and faded[0, -1] == 0.0 and faded[0, SR // 2] == 1.0


def test_synthetic_hum_has_its_mains_fundamental():
    rng = np.random.default_rng(6)
    hum, params = lib.synth_noise("hum", 2 * 44100, 44100, rng)
    spec = np.abs(np.fft.rfft(hum[0]))
    freqs = np.fft.rfftfreq(hum.shape[-1], 1 / 44100)
    low = freqs < 1000
    strongest = freqs[low][np.argsort(spec[low])[-3:]]
    assert any(abs(f - params["f0"]) < 1.0 for f in strongest)
    hiss, _ = lib.synth_noise("hiss", 44100, 44100, rng)
    assert np.max(np.abs(hiss)) == pytest.approx(1.0, abs=1e-4)


def test_oracle_irm_separates_tone_from_noise():
    rng = np.random.default_rng(7)
    n = 2 * SR
    target = _burst(n, 0.2, 1.8, freq=1000.0)
    rest = 0.2 * rng.standard_normal((1, n)).astype(np.float32)
    mix = target + rest
    est_t, est_r = lib.oracle_irm(mix, target, rest)
    assert est_t.shape == mix.shape
    assert si_sdr_improvement(est_t, target, mix) > 10.0
    assert si_sdr_improvement(est_r, rest, mix) > 3.0


def test_summary_counts_failures_as_worse_and_takes_medians():
    rows = [
        {
            "id": "a",
            "category": "speech",
            "split": "dev",
            "action": "isolate",
            "applicable": True,
            "si_sdri": 4.0,
            "seconds": 1.0,
            "duration": 10.0,
        },
        {
            "id": "b",
            "category": "speech",
            "split": "test",
            "action": "remove",
            "applicable": True,
            "si_sdri": -2.0,
            "seconds": 1.0,
            "duration": 10.0,
        },
        {
            "id": "c",
            "category": "noise",
            "split": "dev",
            "action": "remove",
            "applicable": True,
            "si_sdri": 8.0,
            "seconds": 2.0,
            "duration": 20.0,
        },
        {
            "id": "d",
            "category": "noise",
            "split": "dev",
            "action": "remove",
            "applicable": True,
            "error": "boom",
        },
        {"id": "e", "category": "alarms", "split": "dev", "action": "remove", "applicable": False},
    ]
    s = bench.summarize({"m": {"rows": rows, "peak_rss_mb": 100.0, "setup_s": 0.0}})["m"]
    assert s["n"] == 3 and s["failed"] == 1
    assert s["median"]["speech"] == pytest.approx(1.0)
    assert s["median"]["alarms"] is None
    assert s["median_overall"] == pytest.approx(4.0)
    assert s["worse_than_input"] == pytest.approx(0.5)  # one negative + one failure out of four
    assert s["rtf"] == pytest.approx(0.1)
    assert "| m |" in bench.format_table({"m": s})


def test_input_method_scores_zero_and_applicability():
    rng = np.random.default_rng(8)
    mix = rng.standard_normal((1, SR)).astype(np.float32)
    est_t, est_r, _ = bench.estimate("input", {}, mix, mix, mix, SR, "builtin")
    assert si_sdr(est_t, mix) > 50
    assert bench.applicable("noisereduce", {"noise_like": True})
    assert not bench.applicable("noisereduce", {"noise_like": False})
    assert bench.applicable("hpss", {"hpss": "percussive"}) and not bench.applicable("hpss", {"hpss": None})


def _row(method, item, kind, sdri, split="select", package="pkg-a"):
    return {"method": method, "id": item, "split": split, "package": package, "applicable": True,
            "si_sdri": sdri, "info": {"kind": kind}}


def test_per_source_compares_each_package_with_the_rest():
    rows = [_row("builtin_text", f"a{i}", "speech", 6.0, package="pkg-a") for i in range(3)]
    rows += [_row("builtin_text", f"b{i}", "speech", 1.0, package="pkg-b") for i in range(3)]
    table = bench.per_source({"builtin_text": {"rows": rows}})
    by_pkg = {r["package"]: r for r in table}
    assert by_pkg["pkg-a"]["median"] == 6.0 and by_pkg["pkg-a"]["delta"] == 5.0
    assert by_pkg["pkg-b"]["delta"] == -5.0
    text = bench.format_sources(table)
    assert "worst package (n >= 3) -5.0 dB" in text and "1 of 2 below -2 dB" in text


def test_mask_network_is_preferred_only_where_it_wins_on_the_select_split(tmp_path):
    import json

    import train_masknet

    rows = []
    for i, (kind, classic, net) in enumerate(
        [("wind", 1.0, 4.0), ("wind", 2.0, 3.0), ("siren", 9.0, 2.0), ("siren", 8.0, 8.5), ("hum", 1.0, 5.0)]
    ):
        rows += [_row("classic_text", i, kind, classic), _row("masknet_text", i, kind, net)]
    # Report-split rows must not count, however good.
    rows += [_row("classic_text", 99, "siren", 0.0, "report"), _row("masknet_text", 99, "siren", 30.0, "report")]
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"rows": rows}))
    prefer, evidence = train_masknet.choose_preferences(path)
    assert prefer == {"text": ["wind"], "spans": []}  # hum: one mixture is too few
    assert evidence["text"]["siren"] == {"n": 2, "mean_gain_db": -3.25, "median_gain_db": -3.25}


def test_duplicate_key_finds_the_same_recording_at_another_level_rate_and_layout():
    import debsource

    rng = np.random.default_rng(11)
    t = np.arange(3 * 44100) / 44100
    x = (np.sin(2 * np.pi * 220 * t * (1 + 0.3 * t)) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t))).astype(np.float32)
    x += 0.01 * rng.standard_normal(x.size).astype(np.float32)
    key = debsource.duplicate_key(x, 44100)
    assert key is not None
    assert debsource.duplicate_key(0.5 * x, 44100) == key  # quieter copy
    assert debsource.duplicate_key(np.stack([x, x]), 44100) == key  # stereo copy
    other = rng.standard_normal(x.size).astype(np.float32)
    assert debsource.duplicate_key(other, 44100) != key
    assert debsource.duplicate_key(x[:4000], 44100) is None  # too short to fingerprint


def test_decode_reads_wav_bytes_as_channels_by_samples(tmp_path):
    import debsource

    x = np.random.default_rng(12).uniform(-0.5, 0.5, (SR, 2)).astype(np.float32)
    sf.write(tmp_path / "a.wav", x, SR, subtype="FLOAT")
    y, sr = debsource.decode((tmp_path / "a.wav").read_bytes(), "a.wav")
    assert sr == SR and y.shape == (2, SR) and np.allclose(y, x.T)


def test_held_out_packages_are_refused_and_no_sources_file_names_one():
    import debsource
    import yaml

    held = debsource.held_out_packages()
    assert {"sonic-pi-samples", "hydrogen-drumkits", "tuxpaint-data", "opensoundscape"} <= held
    with pytest.raises(SystemExit):
        debsource.refuse_held_out(["flare-game", "hydrogen-drumkits"])
    bench = Path(__file__).resolve().parents[1] / "benchmarks"
    devset = yaml.safe_load((bench / "devset_sources.yaml").read_text())
    corpus = yaml.safe_load((bench / "corpus_sources.yaml").read_text())
    assert not held & (set(devset["packages"]) | set(corpus["packages"]))
    assert not set(devset["packages"]) & set(corpus["packages"])


def test_every_devset_split_has_targets_of_every_category():
    import build_devset
    import yaml

    cfg = yaml.safe_load((Path(build_devset.__file__).with_name("devset_sources.yaml")).read_text())
    have = {(build_devset._kind_split(k, cfg), k["category"]) for k in cfg["kinds"]}
    assert have == {(s, c) for s in build_devset.SPLITS for c in build_devset.CATEGORIES}
    assert set(cfg["mixtures_per_split"]) == set(build_devset.SPLITS)
