"""Rebuild examples/demo.wav: espeak-ng speech with 50 Hz mains hum and a little hiss.

Usage: espeak-ng -s 150 -w speech.wav "..." && python examples/make_demo.py speech.wav
The clean speech is kept beside it (demo_speech.wav) so the demo's result can be measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from samaudio_core import load_audio, save_audio

SR = 22050


def main(speech_path: str) -> None:
    here = Path(__file__).parent
    speech = load_audio(speech_path, sample_rate=SR, channels=1).samples[0]
    speech = np.pad(speech, (SR // 2, SR // 2)) * 0.5
    t = np.arange(speech.size) / SR
    # Mains hum: 50 Hz with decaying odd and even harmonics, as a grounding fault sounds.
    hum = sum(0.06 / k * np.sin(2 * np.pi * 50 * k * t + k) for k in range(1, 8))
    hiss = 0.004 * np.random.default_rng(7).standard_normal(t.size)
    mix = (speech + hum + hiss).astype(np.float32)
    save_audio(here / "demo.wav", mix[None, :], sample_rate=SR)
    save_audio(here / "demo_speech.wav", speech[None, :].astype(np.float32), sample_rate=SR)


if __name__ == "__main__":
    main(sys.argv[1])
