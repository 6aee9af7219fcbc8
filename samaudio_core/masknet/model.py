"""The prompt- and span-conditioned mask network: it refines the built-in engine's mask.

Learning a separation mask from scratch on two CPU cores did not transfer to other
recordings (issue 8: +5 dB on its own mixtures, ~0 dB elsewhere). This network therefore
does the smaller job: it sees what the classic engine already decided — its soft mask,
pooled into 64 mel bands — next to the mixture's log-mel spectrogram, the span prompt as a
per-frame channel (+1 inside "+" spans, 0 elsewhere, plus a flag saying whether any span was
given, so text-only and span-prompted calls are told apart) and the prompt's MiniLM sentence
embedding (FiLM on every block, as in the activity detector). It outputs a correction to the
mask's logit per mel band and frame. The correction layer starts at zero, so an untrained
network returns the classic mask unchanged, and training can only move away from the
classic engine where the data says so.

Frames are every 16 ms at any input rate (``MaskRefiner`` resamples the engine's frames to
this grid and back); the mel bands span 40 Hz-8 kHz, the band the training corpus (16 kHz)
covers. 1-D convolutions over time with the mel bands as channels keep a step cheap enough
to train on a shared CPU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..activity.model import FiLM


@dataclass(frozen=True)
class MaskNetConfig:
    """Shapes of the network and its input grid (saved next to the weights)."""

    frame_s: float = 0.016  # seconds per network frame, at any input rate
    n_mels: int = 64
    f_min: float = 40.0
    f_max: float = 8000.0
    channels: int = 192
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 1)  # receptive field ~65 frames, ~1 s
    embed_dim: int = 384  # MiniLM sentence embedding
    mask_clip: float = 0.02  # the classic mask enters as logit(clip(mask, c, 1 - c))
    dropout: float = 0.0  # on every block's output, during training only

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> MaskNetConfig:
        d = {**d, "dilations": tuple(d.get("dilations", cls.dilations))}
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


class MaskNet(nn.Module):
    """(log-mel mix, classic mel mask, span channel, prompt) -> refined mel mask.

    Parameters of :meth:`forward`:
    log_mel : (batch, n_mels, frames) log10 mel power of the mixture
    classic : (batch, n_mels, frames) the classic engine's mask pooled to mel bands, in [0, 1]
    spans : (batch, frames) +1 inside "+" spans, 0 elsewhere
    has_spans : (batch,) 1.0 when the call had span prompts
    prompt : (batch, embed_dim) the prompt's sentence embedding

    Returns the refined mel mask (batch, n_mels, frames) in (0, 1).
    """

    def __init__(self, cfg: MaskNetConfig = MaskNetConfig()):
        super().__init__()
        self.cfg = cfg
        c = cfg.channels
        n_in = 2 * cfg.n_mels + 2

        def block(cin: int, dilation: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv1d(cin, c, 3, padding=dilation, dilation=dilation),
                nn.GroupNorm(8, c),
                nn.ReLU(),
                nn.Dropout(cfg.dropout),
            )

        self.blocks = nn.ModuleList([block(n_in if i == 0 else c, d) for i, d in enumerate(cfg.dilations)])
        self.cond = nn.Sequential(nn.Linear(cfg.embed_dim, 256), nn.ReLU())
        self.films = nn.ModuleList([FiLM(256, c) for _ in cfg.dilations])
        self.context = nn.Linear(c, c)
        self.head = nn.Conv1d(c, cfg.n_mels, 1)
        # Zero correction at start: the untrained network is the classic engine.
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def classic_logit(self, classic: torch.Tensor) -> torch.Tensor:
        c = self.cfg.mask_clip
        m = classic.clamp(c, 1 - c)
        return torch.log(m) - torch.log1p(-m)

    def forward(
        self,
        log_mel: torch.Tensor,
        classic: torch.Tensor,
        spans: torch.Tensor,
        has_spans: torch.Tensor,
        prompt: torch.Tensor,
    ) -> torch.Tensor:
        # Gain invariance: the clip's mean log level is removed.
        x = log_mel - log_mel.mean(dim=(1, 2), keepdim=True)
        flag = has_spans.view(-1, 1, 1).expand(-1, 1, x.shape[2])
        base = self.classic_logit(classic)
        h = torch.cat([x, classic * 2 - 1, spans.unsqueeze(1), flag], dim=1)
        cond = self.cond(prompt)
        mid = len(self.blocks) // 2
        for i, (blk, film) in enumerate(zip(self.blocks, self.films)):
            out = film(blk(h), cond, channel_dim=1)
            h = out if i == 0 else h + out
            if i == mid:
                # Whole-clip context: is the prompted sound everywhere or in bursts?
                h = h + self.context(h.mean(dim=2)).unsqueeze(2)
        return torch.sigmoid(base + self.head(h))
