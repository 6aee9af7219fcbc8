"""Tests of the learned mask refiner (samaudio_core.masknet) and the engine options around it.

The plumbing is checked on networks built here (no weights needed): an untrained network
must hand the classic mask back unchanged, the features must sit on the 16 ms grid whatever
the input rate, and the engine must keep exact reconstruction with the network on. Where the
package ships weights they must load offline and keep reconstruction exact too.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from samaudio_core.audio import Audio
from samaudio_core.builtin import dsp
from samaudio_core.builtin.engine import BuiltinEngine
from samaudio_core.errors import EngineUnavailableError
from samaudio_core.masknet import MaskNet, MaskNetConfig, MaskRefiner
from samaudio_core.masknet import refiner as refiner_mod
from samaudio_core.masknet.refiner import _bands
from samaudio_core.prompts import Prompt


def _noise_and_tone(sr: int = 16000, seconds: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(sr * seconds)) / sr
    tone = 0.3 * np.sin(2 * np.pi * 440 * t) * (t > 1.0)
    return (0.05 * rng.standard_normal(t.size) + tone).astype(np.float32)[None, :]


def _block(x: np.ndarray, sr: int):
    cfg = dsp.StftConfig.for_rate(sr)
    spec = dsp.stft(x, cfg)
    return cfg, dsp.power(spec)


def test_untrained_network_returns_the_classic_mask():
    sr = 16000
    x = _noise_and_tone(sr)
    cfg, p = _block(x, sr)
    rng = np.random.default_rng(1)
    mask = rng.uniform(0.05, 0.95, size=p.shape).astype(np.float32)
    refiner = MaskRefiner(MaskNet(MaskNetConfig()))
    out = refiner.refine(mask, p, sr, cfg.n_fft, cfg.hop, np.zeros(384, np.float32))
    # The zero-initialised correction leaves each band's value alone, and the "ratio" mode
    # keeps the classic mask's shape inside the band: the same mask comes back.
    assert out.shape == mask.shape
    np.testing.assert_allclose(out, mask, atol=2e-3)


def test_replace_mode_spreads_band_values_over_bins():
    sr = 16000
    x = _noise_and_tone(sr)
    cfg, p = _block(x, sr)
    mask = np.full(p.shape, 0.3, np.float32)
    refiner = MaskRefiner(MaskNet(MaskNetConfig()), apply="replace")
    out = refiner.refine(mask, p, sr, cfg.n_fft, cfg.hop, np.zeros(384, np.float32))
    np.testing.assert_allclose(out, 0.3, atol=2e-3)
    with pytest.raises(ValueError, match="apply must be"):
        MaskRefiner(MaskNet(MaskNetConfig()), apply="median")


@pytest.mark.parametrize("sr", [16000, 44100, 48000])
def test_features_sit_on_the_16ms_grid_with_the_span_channel(sr):
    x = _noise_and_tone(sr, seconds=4.0)
    cfg, p = _block(x, sr)
    refiner = MaskRefiner(MaskNet(MaskNetConfig()))
    feats = refiner.features(p, np.full(p.shape, 0.5, np.float32), sr, cfg.n_fft, cfg.hop, 0.0, ((1.0, 2.0),))
    n = feats["log_mel"].shape[1]
    assert abs(n * 0.016 - p.shape[1] * cfg.hop / sr) < 0.02
    assert feats["log_mel"].shape == feats["classic"].shape == (64, n)
    times = np.arange(n) * 0.016
    assert feats["spans"][(times > 1.1) & (times < 1.9)].min() > 0.99
    assert feats["spans"][(times < 0.9) | (times > 2.1)].max() < 0.01
    np.testing.assert_allclose(feats["classic"], 0.5, atol=1e-4)


def test_band_spreading_covers_every_bin():
    cfg = MaskNetConfig()
    fb, spread = _bands(44100, 2048, cfg)
    assert fb.shape == (64, 1025) and spread.shape == (1025, 64)
    np.testing.assert_allclose(spread.sum(axis=1), 1.0, atol=1e-5)
    freqs = np.fft.rfftfreq(2048, 1 / 44100)
    # Above the top band (8 kHz) every bin follows the top band.
    assert np.all(spread[freqs > 9000, -1] == 1.0)


def test_gain_does_not_change_the_refined_mask():
    torch.manual_seed(0)
    net = MaskNet(MaskNetConfig())
    torch.nn.init.normal_(net.head.weight, std=0.05)
    refiner = MaskRefiner(net)
    sr = 16000
    x = _noise_and_tone(sr)
    mask = np.full((513, 1), 0.5, np.float32)
    outs = []
    for gain in (1.0, 0.1):
        cfg, p = _block(x * gain, sr)
        outs.append(refiner.refine(np.full(p.shape, 0.5, np.float32), p, sr, cfg.n_fft, cfg.hop,
                                   np.zeros(384, np.float32)))
    assert mask.shape[0] == outs[0].shape[0]
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-3)


def test_engine_options_are_checked():
    with pytest.raises(ValueError, match="detector must be"):
        BuiltinEngine(detector="magic")
    with pytest.raises(ValueError, match="mask_net must be"):
        BuiltinEngine(mask_net="sometimes")


def test_mask_net_on_without_weights_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(refiner_mod, "WEIGHTS_DIR", tmp_path)
    refiner_mod._default.cache_clear()
    try:
        engine = BuiltinEngine(mask_net=True, use_embeddings=False)
        with pytest.raises(EngineUnavailableError, match="no mask network weights"):
            engine.separate(Audio(_noise_and_tone(), 16000), Prompt("the beeping"))
        # "auto" quietly keeps the classic path when nothing is shipped.
        res = BuiltinEngine(mask_net="auto", use_embeddings=False).separate(
            Audio(_noise_and_tone(), 16000), Prompt("the beeping")
        )
        assert res.info["mask_net"] is False
    finally:
        refiner_mod._default.cache_clear()


def _with_network(monkeypatch, prefer: dict | None = None) -> MaskRefiner:
    torch.manual_seed(0)
    net = MaskNet(MaskNetConfig())
    torch.nn.init.normal_(net.head.weight, std=0.05)
    refiner = MaskRefiner(net, {"prefer_for": prefer or {}})
    monkeypatch.setattr(MaskRefiner, "available", staticmethod(lambda: True))
    monkeypatch.setattr(MaskRefiner, "load_default", classmethod(lambda cls: refiner))
    from samaudio_core import embeddings

    monkeypatch.setattr(embeddings, "embed", lambda texts: np.zeros((len(texts), 384), np.float32))
    return refiner


def test_engine_with_the_network_keeps_reconstruction_exact(monkeypatch):
    _with_network(monkeypatch)
    x = _noise_and_tone(44100)
    x = np.concatenate([x, 0.5 * x], axis=0)  # stereo
    res = BuiltinEngine(mask_net=True, use_embeddings=False).separate(Audio(x, 44100), Prompt("the beeping"))
    assert res.info["mask_net"] is True
    assert res.target.shape == x.shape
    np.testing.assert_allclose(res.target + res.residual, x, atol=1e-5)


def test_auto_uses_the_network_only_where_preferred(monkeypatch):
    _with_network(monkeypatch, prefer={"text": ["siren"], "spans": []})
    x = Audio(_noise_and_tone(), 16000)
    engine = BuiltinEngine(mask_net="auto", use_embeddings=False, auto_spans=False)
    kind = engine.separate(x, Prompt("the beeping")).info["kind"]
    assert kind == "siren"
    assert engine.separate(x, Prompt("the beeping")).info["mask_net"] is True
    # The same kind with user spans is another mode, not listed: classic path.
    assert engine.separate(x, Prompt("the beeping", ((1.2, 2.0),))).info["mask_net"] is False
    # Another kind: classic path.
    assert engine.separate(x, Prompt("dog barking")).info["mask_net"] is False


def test_shipped_weights_load_offline_and_keep_reconstruction():
    refiner = MaskRefiner.load_default()
    assert refiner.meta["corpus_manifest_sha256"]
    assert set(refiner.meta["prefer_for"]) == {"text", "spans"}
    x = _noise_and_tone(22050)
    res = BuiltinEngine(mask_net=True).separate(Audio(x, 22050), Prompt("the beeping", ((1.2, 2.0),)))
    assert res.info["mask_net"] is True
    np.testing.assert_allclose(res.target + res.residual, x, atol=1e-5)


def test_a_network_that_drops_the_target_leaves_the_classic_mask(monkeypatch):
    refiner = _with_network(monkeypatch)
    torch.nn.init.zeros_(refiner.model.head.weight)
    torch.nn.init.constant_(refiner.model.head.bias, -20.0)  # "the prompted sound is not here"
    x = Audio(_noise_and_tone(), 16000)
    classic = BuiltinEngine(mask_net=False, use_embeddings=False).separate(x, Prompt("the beeping"))
    res = BuiltinEngine(mask_net=True, use_embeddings=False).separate(x, Prompt("the beeping"))
    np.testing.assert_allclose(res.target, classic.target, atol=1e-6)
    assert res.info["warnings"] == ["the mask network dropped most of the target; classic mask kept"]
    assert np.abs(res.target).max() > 0.1


def test_streamed_files_get_the_same_refinement_as_in_memory(monkeypatch, tmp_path):
    import soundfile as sf

    _with_network(monkeypatch)
    sr = 16000
    x = _noise_and_tone(sr, seconds=5.0)
    path = tmp_path / "in.wav"
    sf.write(path, x.T, sr, subtype="FLOAT")
    engine = BuiltinEngine(mask_net=True, use_embeddings=False, block_s=2.0)
    prompt = Prompt("the beeping", ((1.2, 2.0),))
    info = engine.separate_file(path, prompt, tmp_path / "t.wav", tmp_path / "r.wav")
    assert info["mask_net"] is True
    streamed, _ = sf.read(tmp_path / "t.wav", dtype="float32", always_2d=True)
    in_memory = engine.separate(Audio(x, sr), prompt).target
    np.testing.assert_allclose(streamed.T, in_memory, atol=1e-4)
