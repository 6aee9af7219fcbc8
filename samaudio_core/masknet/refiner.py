"""Apply the trained mask network to the built-in engine's masks, block by block.

:class:`MaskRefiner` takes what the engine computed for one block — its STFT power ``p``
(freq, frames) at the input's own rate and its soft target mask — pools both into the
network's 64 mel bands, resamples the frames onto the network's fixed 16 ms grid, runs
:class:`~samaudio_core.masknet.model.MaskNet` and brings the refined mel mask back to the
engine's bins and frames. Within each band the classic mask's fine structure (harmonics,
notches) is kept: the refined band value rescales it (``apply="ratio"``); bins above the
network's top band follow the top band. Weights ship in ``weights/`` with their training
configuration, the corpus manifest's sha256 and ``prefer_for``: the kinds of prompt (per
sound kind, text-only or with spans) where the separation benchmark showed the network
beating the classic engine. The engine only calls the network there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..activity.model import mel_filters
from ..errors import EngineUnavailableError
from ..weights import read_weights
from .model import MaskNet, MaskNetConfig

WEIGHTS_DIR = Path(__file__).with_name("weights")
_EPS = 1e-10


@lru_cache(maxsize=8)
def _bands(sample_rate: int, n_fft: int, cfg: MaskNetConfig) -> tuple[np.ndarray, np.ndarray]:
    """Mel pooling (n_mels, bins) and its spreading back (bins, n_mels), rows summing to 1.

    Bins outside every band (below f_min, above f_max) take the nearest band's value."""
    fb = mel_filters(sample_rate, n_fft, cfg.n_mels, cfg.f_min, min(cfg.f_max, sample_rate / 2))
    spread = fb.T.copy()
    weight = spread.sum(axis=1)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    empty = weight <= 0
    spread[empty & (freqs < cfg.f_min), 0] = 1.0
    spread[empty & (freqs >= cfg.f_min), -1] = 1.0
    spread /= spread.sum(axis=1, keepdims=True)
    return fb.astype(np.float32), spread.astype(np.float32)


#: Public name of the mel pooling the network works in (used by benchmarks/train_masknet.py).
mel_bands = _bands


def _resample_frames(x: np.ndarray, n: int) -> np.ndarray:
    """Linear interpolation of (..., frames) onto ``n`` frames."""
    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    squeeze = t.dim() == 1
    t = t.view(1, -1, t.shape[-1])
    out = F.interpolate(t, size=n, mode="linear", align_corners=True) if t.shape[-1] > 1 else t.expand(1, -1, n)
    out = out[0].numpy()
    return out[0] if squeeze else out


def pool_to_bands(
    p: np.ndarray, mask: np.ndarray, sample_rate: int, n_fft: int, cfg: MaskNetConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The engine's power (freq, frames) and its mask's power-weighted mean, in the mel bands."""
    fb, _ = _bands(sample_rate, n_fft, cfg)
    mel_p = fb @ p
    return mel_p, (fb @ (mask * p)) / (mel_p + _EPS)


def network_inputs(
    mel_p: np.ndarray,
    mel_mask: np.ndarray,
    sample_rate: int,
    hop: int,
    start_s: float,
    spans: tuple[tuple[float, float], ...],
    cfg: MaskNetConfig,
) -> dict[str, np.ndarray]:
    """Log mel (n_mels, n), classic mel mask and span channel on the network's 16 ms grid,
    from the engine's frames (``hop`` samples each, the first at ``start_s``)."""
    n_frames = mel_p.shape[1]
    n = max(1, int(round(n_frames * hop / sample_rate / cfg.frame_s)))
    times = start_s + np.arange(n_frames) * hop / sample_rate
    span_ch = np.zeros(n_frames, np.float32)
    for a, b in spans:
        span_ch[(times >= a) & (times < b)] = 1.0
    return {
        "log_mel": _resample_frames(np.log10(mel_p + _EPS), n),
        "classic": np.clip(_resample_frames(mel_mask, n), 0.0, 1.0),
        "spans": _resample_frames(span_ch, n),
    }


class MaskRefiner:
    """The trained mask network, applied to one engine block at a time.

    Parameters
    ----------
    model : a trained ``MaskNet`` (put in eval mode here)
    meta : the training configuration saved with the weights
    apply : "ratio" (rescale the classic mask band by band) or "replace" (the network's
        band mask, spread over the bins); defaults to the one saved in ``meta``
    """

    def __init__(self, model: MaskNet, meta: dict | None = None, apply: str | None = None):
        self.model = model.eval()
        self.cfg: MaskNetConfig = model.cfg
        self.meta = meta or {}
        self.apply = apply or self.meta.get("apply", "ratio")
        if self.apply not in ("ratio", "replace"):
            raise ValueError(f"apply must be 'ratio' or 'replace', not {self.apply!r}")

    @classmethod
    def load(cls, folder: str | Path) -> MaskRefiner:
        """Load ``masknet.pt`` + ``config.json`` from ``folder``."""
        meta, state = read_weights(folder, "masknet.pt", "mask network")
        model = MaskNet(MaskNetConfig.from_dict(meta["config"]))
        model.load_state_dict(state)
        return cls(model, meta)

    @staticmethod
    def available() -> bool:
        """Whether shipped weights are present."""
        return (WEIGHTS_DIR / "masknet.pt").exists() and (WEIGHTS_DIR / "config.json").exists()

    @classmethod
    def load_default(cls) -> MaskRefiner:
        """The weights shipped in the package (offline)."""
        return _default()

    def preferred(self, kind: str, with_spans: bool) -> bool:
        """Whether the benchmark showed the network winning for this sound kind and mode."""
        prefer = self.meta.get("prefer_for", {})
        return kind in prefer.get("spans" if with_spans else "text", ())

    def features(
        self,
        p: np.ndarray,
        mask: np.ndarray,
        sample_rate: int,
        n_fft: int,
        hop: int,
        start_s: float,
        spans: tuple[tuple[float, float], ...],
    ) -> dict[str, np.ndarray]:
        """Network inputs on its own grid (see :func:`network_inputs`)."""
        mel_p, mel_mask = pool_to_bands(p, mask, sample_rate, n_fft, self.cfg)
        return network_inputs(mel_p, mel_mask, sample_rate, hop, start_s, spans, self.cfg)

    @torch.no_grad()
    def refine(
        self,
        mask: np.ndarray,
        p: np.ndarray,
        sample_rate: int,
        n_fft: int,
        hop: int,
        prompt_embedding: np.ndarray,
        start_s: float = 0.0,
        spans: tuple[tuple[float, float], ...] = (),
        has_spans: bool = False,
    ) -> np.ndarray:
        """The refined (freq, frames) mask for one block; ``mask`` and ``p`` are the engine's."""
        mel_p, classic_mel = pool_to_bands(p, mask, sample_rate, n_fft, self.cfg)
        feats = network_inputs(mel_p, classic_mel, sample_rate, hop, start_s, spans, self.cfg)
        out = self.model(
            torch.from_numpy(feats["log_mel"])[None],
            torch.from_numpy(feats["classic"])[None],
            torch.from_numpy(feats["spans"])[None],
            torch.tensor([1.0 if has_spans else 0.0]),
            torch.from_numpy(np.asarray(prompt_embedding, np.float32))[None],
        )[0].numpy()
        refined_mel = _resample_frames(out, p.shape[1])
        _, spread = _bands(sample_rate, n_fft, self.cfg)
        if self.apply == "replace":
            return np.clip(spread @ refined_mel, 0.0, 1.0).astype(np.float32)
        ratio = refined_mel / np.maximum(classic_mel, 1e-3)
        return np.clip(mask * (spread @ ratio), 0.0, 1.0).astype(np.float32)


@lru_cache(maxsize=1)
def _default() -> MaskRefiner:
    if not MaskRefiner.available():
        raise EngineUnavailableError("no mask network weights are shipped (see benchmarks/train_masknet.py --export)")
    return MaskRefiner.load(WEIGHTS_DIR)
