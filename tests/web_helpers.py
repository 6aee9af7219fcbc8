"""Media the web tests make: a burst mixture (wav) and a tiny H.264 video with a soundtrack."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SR = 16_000


def burst_wav(path: Path, seconds: float = 4.0, bursts=((1.0, 2.0),), sr: int = SR) -> Path:
    """A soft 150 Hz hum everywhere plus a loud 1.1 kHz tone in ``bursts`` (the target)."""
    t = np.arange(int(seconds * sr)) / sr
    x = 0.05 * np.sin(2 * np.pi * 150 * t)
    for a, b in bursts:
        x = x + 0.4 * np.sin(2 * np.pi * 1100 * t) * ((t >= a) & (t < b))
    sf.write(path, x.astype(np.float32), sr, subtype="PCM_16")
    return path


def tiny_video(path: Path, seconds: float = 2.0, sr: int = SR) -> Path:
    """A 64x48 H.264 clip (a bright square on the left) with a mono AAC tone track."""
    import av

    fps = 10
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        vs.options = {"preset": "ultrafast"}
        aus = out.add_stream("aac", rate=sr)
        aus.layout = "mono"
        for i in range(int(seconds * fps)):
            img = np.full((48, 64, 3), 40, np.uint8)
            img[10:30, 5 + i % 5 : 25 + i % 5] = 230
            out.mux(vs.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(vs.encode(None))
        t = np.arange(int(seconds * sr)) / sr
        audio = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for a in range(0, len(audio), 1024):
            fr = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio[None, a : a + 1024]), format="fltp", layout="mono")
            fr.sample_rate, fr.pts = sr, a
            out.mux(aus.encode(fr))
        out.mux(aus.encode(None))
    return path
