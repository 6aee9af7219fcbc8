"""The prompt-conditioned activity network: log-mel frames + a prompt embedding -> P(active).

A small temporal convolutional network in the role of SAM Audio's PEA-Frame. The waveform
(16 kHz mono) becomes 64-band mel power frames every 32 ms (:class:`MelFrontend`); their log,
shifted so the clip's mean level is 0 (gain invariance that keeps steady sounds steady), goes
through five 1-D conv blocks over time (mel bands as channels; dilations 1-16, so each frame
sees about 2 s either side) with residual connections and one whole-clip context vector: 1-D
convolutions and no recurrent layer because the network trains on a shared 2-core CPU. The
prompt's 384-dim MiniLM sentence embedding conditions every block by FiLM (a per-channel scale
and shift), so unseen wordings that land near trained ones behave like them. The output is one
logit per frame. Training mixtures are sums of the mel *power* spectrograms of clean sources,
which is why the frontend stops at mel power and the log lives in :meth:`ActivityNet.forward`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class ActivityConfig:
    """Shapes of the frontend and network (saved next to the weights)."""

    sample_rate: int = 16000  # Hz; inputs are resampled to this
    n_fft: int = 1024  # 64 ms window
    hop: int = 512  # 32 ms per output frame
    n_mels: int = 64
    f_min: float = 40.0
    f_max: float = 8000.0
    channels: int = 128  # conv channels
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16)  # receptive field 63 frames, ~2 s
    embed_dim: int = 384  # MiniLM sentence embedding

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ActivityConfig:
        d = {**d, "dilations": tuple(d.get("dilations", cls.dilations))}
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def mel_filterbank(cfg: ActivityConfig) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular HTK-mel filters for ``cfg``, each of unit area."""
    return mel_filters(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.f_min, cfg.f_max)


def mel_filters(sample_rate: int, n_fft: int, n_mels: int, f_min: float, f_max: float) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular HTK-mel filters, each normalised to unit area."""

    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10 ** (np.asarray(m) / 2595.0) - 1.0)

    freqs = np.linspace(0, sample_rate / 2, n_fft // 2 + 1)
    pts = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    fb = np.zeros((n_mels, len(freqs)), np.float32)
    for i in range(n_mels):
        lo, mid, hi = pts[i], pts[i + 1], pts[i + 2]
        up = (freqs - lo) / max(mid - lo, 1e-6)
        down = (hi - freqs) / max(hi - mid, 1e-6)
        fb[i] = np.maximum(0.0, np.minimum(up, down))
        # Narrow low bands may fall between FFT bins (and bands past Nyquist beyond them):
        # give them the nearest bin.
        if fb[i].sum() == 0:
            fb[i, int(np.argmin(np.abs(freqs - mid)))] = 1.0
        fb[i] /= fb[i].sum()
    return fb


class MelFrontend(nn.Module):
    """Waveform (batch, samples) at ``cfg.sample_rate`` -> mel power (batch, frames, n_mels)."""

    def __init__(self, cfg: ActivityConfig):
        super().__init__()
        self.cfg = cfg
        self.register_buffer("window", torch.hann_window(cfg.n_fft), persistent=False)
        self.register_buffer("fb", torch.from_numpy(mel_filterbank(cfg)), persistent=False)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        spec = torch.stft(
            wave, self.cfg.n_fft, self.cfg.hop, window=self.window, center=True, return_complex=True
        )
        power = spec.real**2 + spec.imag**2  # (batch, freqs, frames)
        return torch.einsum("mf,bft->btm", self.fb, power)


class FiLM(nn.Module):
    """Scale and shift ``channels`` features by amounts predicted from the prompt embedding.

    The last layer starts at zero, so an untrained FiLM is the identity."""

    def __init__(self, embed_dim: int, channels: int):
        super().__init__()
        self.proj = nn.Linear(embed_dim, 2 * channels)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, h: torch.Tensor, cond: torch.Tensor, channel_dim: int) -> torch.Tensor:
        gamma, beta = self.proj(cond).chunk(2, dim=-1)
        shape = [h.shape[0]] + [1] * (h.dim() - 1)
        shape[channel_dim] = -1
        return h * (1 + gamma.view(shape)) + beta.view(shape)


class ActivityNet(nn.Module):
    """Mel power (batch, frames, n_mels) + prompt embedding (batch, 384) -> logits (batch, frames)."""

    def __init__(self, cfg: ActivityConfig = ActivityConfig()):
        super().__init__()
        self.cfg = cfg
        c = cfg.channels

        def block(cin: int, dilation: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv1d(cin, c, 3, padding=dilation, dilation=dilation), nn.BatchNorm1d(c), nn.ReLU()
            )

        self.blocks = nn.ModuleList(
            [block(cfg.n_mels if i == 0 else c, d) for i, d in enumerate(cfg.dilations)]
        )
        self.cond = nn.Sequential(nn.Linear(cfg.embed_dim, 256), nn.ReLU())
        self.films = nn.ModuleList([FiLM(256, c) for _ in cfg.dilations])
        self.context = nn.Linear(c, c)
        self.head = nn.Conv1d(c, 1, 1)

    def forward(self, mel_power: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        x = torch.log10(mel_power + 1e-8)
        # Gain invariance: remove the clip's mean log level (steady sounds keep their shape).
        x = x - x.mean(dim=(1, 2), keepdim=True)
        cond = self.cond(prompt)
        h = x.transpose(1, 2)  # (batch, mels, frames)
        mid = len(self.blocks) // 2
        for i, (blk, film) in enumerate(zip(self.blocks, self.films)):
            out = film(blk(h), cond, channel_dim=1)
            h = out if i == 0 else h + out  # residual from the second block on
            if i == mid:
                # Whole-clip context (is this sound everywhere, or in bursts?) beyond the
                # receptive field of the dilated convolutions.
                h = h + self.context(h.mean(dim=2)).unsqueeze(2)
        return self.head(h).squeeze(1)
