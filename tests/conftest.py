"""Shared test fixtures: small synthesised mixtures with known stems, written to tmp_path.

Keep this file generic and additive: each fixture builds audio from numpy alone (seeded),
so every test knows exactly where each source is. Stems are float32 (channels, samples).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest


@dataclass
class SynthMix:
    """A mixture with its stems and the intervals (s) where the target sounds."""

    mix: np.ndarray
    target: np.ndarray
    background: np.ndarray
    sample_rate: int
    active: list[tuple[float, float]] = field(default_factory=list)

    def region(self, start: float, end: float) -> slice:
        return slice(int(start * self.sample_rate), int(end * self.sample_rate))


def tone_complex(f0: float, n: int, sr: int, harmonics: int = 4) -> np.ndarray:
    t = np.arange(n) / sr
    return sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, harmonics + 1)).astype(np.float32)


def make_burst_mix(
    sample_rate: int = 16_000,
    seconds: float = 3.0,
    channels: int = 1,
    bursts: tuple[tuple[float, float], ...] = ((0.8, 1.4), (2.0, 2.6)),
    seed: int = 0,
) -> SynthMix:
    """Steady background (low hum tone + soft noise) plus tone bursts of a 1.1 kHz harmonic
    complex at ``bursts``; the bursts are the target."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    background = 0.08 * tone_complex(180.0, n, sample_rate, 3) + 0.02 * rng.standard_normal(n).astype(
        np.float32
    )
    target = np.zeros(n, np.float32)
    burst = tone_complex(1100.0, n, sample_rate, 3) * 0.25
    for a, b in bursts:
        i, j = int(a * sample_rate), int(b * sample_rate)
        target[i:j] = burst[i:j] * np.hanning(j - i).astype(np.float32) ** 0.25
    gains = np.linspace(1.0, 0.7, channels, dtype=np.float32)[:, None]
    t2, b2 = target[None] * gains, background[None] * gains[::-1]
    return SynthMix((t2 + b2).astype(np.float32), t2, b2, sample_rate, list(bursts))


@pytest.fixture
def burst_mix() -> SynthMix:
    """3 s mono 16 kHz: tone bursts at 0.8-1.4 s and 2.0-2.6 s over a steady background."""
    return make_burst_mix()


@pytest.fixture
def write_audio(tmp_path: Path):
    """write_audio(name, samples, sample_rate) -> Path of a file in tmp_path (any save format)."""
    from samaudio_core.audio import save_audio

    def _write(name: str, samples: np.ndarray, sample_rate: int) -> Path:
        return save_audio(tmp_path / name, samples, sample_rate, clip="rescale")

    return _write


@pytest.fixture(scope="session")
def ray_local():
    """One local Ray (2 CPUs, no dashboard) for the whole test session, started by the first
    test that asks for it: Ray's start costs seconds and hundreds of MB, so the Ray tests share
    it, and ``samaudio apply --ray`` reuses a Ray already running in its process."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
