"""Where the speech specialist (DeepFilterNet3, ``speech_dfn.py``) takes part in a separation.

One decision per input, before the classic engine runs:

- ``"target"``: the prompt names speech (the ontology's ``speech`` kind: "voice", "the man
  talking"; not "vocals"/"singing", which are the ``singing`` kind, nor crowd babble): the
  target is DeepFilterNet3's speech, the residual everything else.
- ``"interferer"``: the prompt names another sound, and silero-vad hears speech in at least
  :data:`MIN_SPEECH_SHARE` of the input's 32 ms windows: speech is removed first and the
  classic engine separates the prompt's target from ``mixture - speech``; the speech then
  lands in the residual.
- ``"none"``: no speech (or a voice-like target DeepFilterNet3 would keep as speech, or a
  prompt matched too weakly to act on): the classic engine alone.

Either way the engine returns target + residual = input (the residual is input - target).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..audio import Audio
from ..engines.base import SeparationResult
from ..filestream import open_stem_writers, stem_paths
from ..prompts import Prompt
from .ontology import LOW_CONFIDENCE, match_kind

#: Route "interferer" holds the file in memory (speech removed first, then the classic engine),
#: as automatic spans do, for files up to this long (s); longer ones keep the classic engine.
INTERFERER_IN_MEMORY_MAX_S = 300.0

if TYPE_CHECKING:
    from .engine import BuiltinEngine

#: Speech counts as an interferer when silero-vad's probability is >= SPEECH_PROB in at
#: least this share of the 32 ms windows. A wrong "speech present" costs the target the
#: parts DeepFilterNet3 keeps as speech (barks, horn signals), a missed one only the gain.
#: On the 80 non-speech mixtures of the dev set (benchmarks/build_devset.py, both splits):
#: the mixtures with no speech peak at 19 % (a horn signal; then water 14 %, a dog 8 %),
#: those with a speech interferer that the route helps sit at 32-59 %. 25 % lies between;
#: routed, those six gained a median 6.3 dB against 1.5 dB without the specialist, while
#: forcing the route on the no-speech ones lost up to 5 dB (a dog: 8.1 -> 2.9 dB).
#: Re-checked on the 3-split dev set's tune + select splits only (110 non-speech mixtures, no
#: report package; benchmarks/bench_speech_share.py): the 38 with no speech peak at 22 %,
#: and 25 % is the lowest share with no false alarm (42 of the 72 with speech in the rest
#: pass it); so the report split played no part in this number.
#: Synthetic noises (white, pink, wind, hum, rain, a siren sweep) give 0 %, espeak-ng
#: sentences over noise at 0 dB 63 % median (benchmarks/bench_speech_dfn.py).
MIN_SPEECH_SHARE = 0.25
SPEECH_PROB = 0.5
#: Route "interferer": when the classic engine leaves at least this share of the speech-free
#: audio's energy out of the target, the whole speech-free audio becomes the target instead.
#: Fitted on the tune split's 21 routed mixtures (median SI-SDRi 1.5 -> 3.9 dB; 0.3-0.6 all
#: help, 0.45 best) and checked on the select split's 17 (median 5.9 -> 5.9, mean 6.4 -> 6.5,
#: worse than the input 2 -> 1); scratch comparison of both candidates per mixture.
COMPLEMENT_LEFT = 0.45
#: Kinds never routed to the "interferer" path: their sound is a voice that DeepFilterNet3
#: keeps as speech, so removing speech first would remove the target itself.
VOICE_LIKE_KINDS = frozenset({"singing", "crowd"})
#: Methods that already leave speech out (a notch comb on mains harmonics): removing speech
#: first only takes a little of the target with it (synthetic speech + 50 Hz hum at 0 dB,
#: benchmarks/bench_speech_dfn.py: SI-SDRi 9.7 / 9.1 dB with speech removed first, 12.3 /
#: 13.4 dB without).
NARROWBAND_METHODS = frozenset({"hum"})
#: Words of the speech kind that are not speech to DeepFilterNet3 (it treats them as noise).
NON_SPEECH_WORDS = frozenset({"cough", "coughing", "sneeze", "sneezing"})
#: Speech activity is measured on at most this much audio (s): longer inputs are sampled
#: as evenly spaced excerpts of EXCERPT_S each.
VAD_MAX_S = 120.0
EXCERPT_S = 10.0


@dataclass(frozen=True)
class Route:
    """The decision for one input.

    route : "target", "interferer" or "none"
    reason : one line, for ``info["speech_specialist"]``
    speech_share : share of 32 ms windows silero-vad marks as speech (None: not measured)
    """

    route: str
    reason: str
    speech_share: float | None = None

    def to_info(self) -> dict[str, Any]:
        return {"route": self.route, "reason": self.reason,
                "speech_share": None if self.speech_share is None else round(self.speech_share, 3)}


def speech_share(samples: np.ndarray, sample_rate: int) -> float:
    """Share of 32 ms windows where silero-vad hears speech (channel mean), in [0, 1]."""
    x = np.asarray(samples, np.float32)
    x = x[None, :] if x.ndim == 1 else x
    return speech_share_of(lambda a, b: x[:, a:b], x.shape[1], sample_rate)


def speech_share_of(read: Callable[[int, int], np.ndarray], n: int, sample_rate: int) -> float:
    """:func:`speech_share` of audio given as ``read(start, end)`` -> (channels, samples).

    Pieces of EXCERPT_S are analysed one at a time (bounded memory): all of them up to
    VAD_MAX_S of audio, else that much in evenly spaced excerpts."""
    from .vad import speech_probs

    sr = int(sample_rate)
    w = int(EXCERPT_S * sr)
    if n <= VAD_MAX_S * sr:
        starts = range(0, n, w)
    else:
        starts = np.linspace(0, n - w, int(VAD_MAX_S / EXCERPT_S)).astype(int)
    hits = total = 0
    for s in starts:
        probs = speech_probs(read(int(s), min(int(s) + w, n)).mean(axis=0), sr)[1]
        hits += int(np.sum(probs >= SPEECH_PROB))
        total += len(probs)
    return hits / total if total else 0.0


def decide(
    prompt: Prompt,
    samples: np.ndarray | None,
    sample_rate: int,
    use_embeddings: bool = True,
    share: Callable[[], float] | None = None,
) -> Route:
    """Which route ``prompt`` on ``samples`` (channels, n) takes; see the module doc.

    ``share`` (instead of ``samples``) computes the speech share lazily, for files."""
    if prompt.mask is not None or not prompt.text:
        return Route("none", "no text prompt")
    match = match_kind(prompt.text, use_embeddings=use_embeddings)
    if match is None or match.confidence < LOW_CONFIDENCE:
        return Route("none", "the prompt matches no sound kind well")
    kind = match.kind.name
    words = set(prompt.text.lower().replace("-", " ").split())
    if kind == "speech":
        if words & NON_SPEECH_WORDS:
            return Route("none", "a non-speech vocal sound: the classic engine")
        return Route("target", "the prompt names speech")
    if kind in VOICE_LIKE_KINDS:
        return Route("none", f"{kind} is voice-like; speech is not removed first")
    if match.kind.method in NARROWBAND_METHODS:
        return Route("none", f"the {match.kind.method} method leaves speech out by itself")
    share_ = share() if share is not None else speech_share(samples, sample_rate)
    if share_ >= MIN_SPEECH_SHARE:
        return Route("interferer", f"speech in {share_:.0%} of the input; removed before separating {kind}", share_)
    return Route("none", f"speech in {share_:.0%} of the input (< {MIN_SPEECH_SHARE:.0%})", share_)


def _classic(engine: BuiltinEngine) -> BuiltinEngine:
    plain = copy.copy(engine)
    plain.speech_specialist = False
    return plain


def separate(engine: BuiltinEngine, audio: Audio, prompt: Prompt, progress: bool = False) -> SeparationResult | None:
    """The separation through the speech specialist, or None for route "none" (the caller
    then runs the classic engine as before)."""
    from . import speech_dfn

    route = decide(prompt, audio.samples, audio.sample_rate, engine.use_embeddings)
    if route.route == "none":
        return None
    x, sr = audio.samples, audio.sample_rate
    speech = speech_dfn.enhance(x, sr)
    if route.route == "target":
        notes = ["spans are not used by the speech specialist"] if prompt.spans or prompt.absent else []
        info: dict[str, Any] = {
            "engine": engine.name, "kind": "speech", "category": "speech", "method": "deepfilternet3",
            "confidence": 0.9, "match": "keyword", "mode": "text", "strength": 1.0, "spans": [],
            "span_contrast": None, "absent": [list(s) for s in prompt.absent], "warnings": notes,
            "mask_net": False, "blocks": 1,
        }
        target = speech
    else:
        cleaned = Audio(speech_dfn.residual(x, speech), sr, audio.path)
        res = _classic(engine).separate(cleaned, prompt, progress=progress)
        info, target = dict(res.info), res.target
        left = float(np.square(cleaned.samples - target).sum() / (np.square(cleaned.samples).sum() + 1e-12))
        if left >= COMPLEMENT_LEFT and not prompt.spans:
            # The classic engine finds little of the target in the speech-free audio, although
            # the user says it is there: everything but the speech is the better target. Not
            # with spans (given or detected): they say what the target sounds like, and on the
            # select split the rule cost given spans 9.1 -> 8.4 dB median.
            target = cleaned.samples
            info["method"] = "deepfilternet3-complement"
        info["speech_free_left"] = round(left, 3)
    info["speech_specialist"] = route.to_info()
    return SeparationResult(target.astype(np.float32), speech_dfn.residual(x, target), sr, info)


def separate_file(
    engine: BuiltinEngine,
    in_path: str | os.PathLike,
    prompt: Prompt,
    out_target: str | os.PathLike,
    out_residual: str | os.PathLike | None,
    progress: bool = False,
) -> dict[str, Any] | None:
    """File-to-file form of :func:`separate`; None for route "none" (the caller streams as before).

    Route "target" streams any length through :class:`speech_dfn.DfnStream` in bounded
    memory. Route "interferer" runs in memory for files up to ``INTERFERER_IN_MEMORY_MAX_S``; longer
    ones keep the classic engine.
    TODO(shared block runner): stream route "interferer" too, by running DfnStream as a
    pre-stage of the classic engine's per-block target function (the hook point is
    ``chunking.stream_to_files``'s read callback in ``engine.separate_file``)."""
    import soundfile as sf

    from ..audio import load_audio, save_audio

    info_sf = sf.info(str(in_path))
    sr, n = int(info_sf.samplerate), int(info_sf.frames)
    if n == 0 or prompt.mask is not None or not prompt.text:
        return None
    with sf.SoundFile(str(in_path)) as f:

        def read(a: int, b: int) -> np.ndarray:
            f.seek(a)
            return f.read(b - a, dtype="float32", always_2d=True).T

        route = decide(prompt, None, sr, engine.use_embeddings, share=lambda: speech_share_of(read, n, sr))
    if route.route == "none":
        return None
    if route.route == "interferer":
        if n > INTERFERER_IN_MEMORY_MAX_S * sr:
            return None
        res = separate(engine, load_audio(in_path), prompt, progress)
        if res is None:
            return None
        save_audio(out_target, res.target, sr)
        if out_residual:
            save_audio(out_residual, res.residual, sr)
        return {**res.info, "duration": n / sr}
    _stream_speech(in_path, out_target, out_residual)
    return {
        "engine": engine.name, "kind": "speech", "category": "speech", "method": "deepfilternet3",
        "confidence": 0.9, "match": "keyword", "mode": "text", "strength": 1.0, "spans": [],
        "span_contrast": None, "absent": [], "warnings": [], "mask_net": False,
        "duration": n / sr, "speech_specialist": route.to_info(),
    }


def _stream_speech(in_path, out_target, out_residual, block: int = 1 << 16) -> None:
    """DeepFilterNet3 speech (and the residual) of a file, block by block, 24-bit wav/flac."""
    import contextlib

    import soundfile as sf

    from . import speech_dfn

    dests = stem_paths(out_target, out_residual)
    with contextlib.ExitStack() as stack, sf.SoundFile(str(in_path)) as src:
        writers = open_stem_writers(stack, dests, src.samplerate, src.channels)
        stream = speech_dfn.DfnStream(src.channels, src.samplerate)

        def write(parts: tuple[np.ndarray, np.ndarray]) -> None:
            for w, p in zip(writers, parts):
                w.write(np.clip(p, -1, 1).T)

        while True:
            x = src.read(block, dtype="float32", always_2d=True).T
            if x.shape[1] == 0:
                break
            write(stream.feed_split(x))
        write(stream.flush_split())
