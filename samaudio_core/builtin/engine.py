"""The built-in engine: offline, CPU-only, no weights beyond the packaged MiniLM and silero-vad.

A text prompt is mapped onto a sound kind (``ontology.py``) whose method builds a soft
mask (``methods.py``); "+"/"-" spans train a semi-supervised NMF fingerprint
(``span_nmf.py``); with both, the two masks are combined. Masks are applied to every
channel's STFT block by block (``chunking.py``), so memory stays bounded and joins are
cross-faded; the residual is input − target, which makes reconstruction exact. When the
prompt matches nothing well, the engine warns and pulls its mask towards a constant: a
constant mask changes neither stem's SI-SDR, so an unsure engine does less, not harm.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import embeddings  # embeddings.embed looked up per call: tests stand in for it
from ..audio import Audio, load_audio
from ..avmask import separate_masked
from ..engines.base import EngineSpec, SeparationResult
from ..errors import AudioLoadError
from ..filestream import stream_to_files
from ..masknet import MaskRefiner
from ..prompts import Prompt, Span
from ..spans import find_spans
from . import chunking, dsp, speech_route
from .methods import METHODS, Block, detect_hum, hum_target
from .ontology import LOW_CONFIDENCE, KindMatch, match_kind
from .span_nmf import SpanModel

log = logging.getLogger(__name__)

#: Spans covering more than this fraction of the input leave too little background to learn.
MAX_SPAN_COVERAGE = 0.8
#: Weight of the span (NMF) mask against the text mask when both are given.
SPAN_WEIGHT = 0.6
#: How text and span masks combine: "mean" (weighted arithmetic), "geo" (weighted geometric),
#: "max" or "span" (span mask alone). On the dev split's intermittent targets (given spans),
#: median SI-SDRi was mean 4.6 dB, max 4.4, span alone 2.0, geo 1.0: the NMF mask alone
#: misses parts of the target, and the text mask fills them in.
COMBINE = "mean"
#: How span prompts are learnt by default (see ``BuiltinEngine``'s ``span_fit``).
SPAN_FIT = "contrast"
SPAN_FITS = ("contrast", "supervised")
#: Below this span contrast (see ``SpanModel.contrast``) a text prompt's own mask is used alone.
MIN_CONTRAST = 0.25
#: How far each text method is trusted (1 = its mask as is; lower pulls the mask towards a
#: constant, which leaves SI-SDR untouched). Measured on the dev split of the dev set
#: (benchmarks/build_devset.py): harmonic masks cannot tell one instrument from another,
#: so they are trusted least.
METHOD_STRENGTH = {"harmonic": 0.4, "foreground": 0.7}
#: Text-only prompts of these methods first find where the target is active (``spans.py``)
#: and use those intervals as span prompts: on the dev split this raised the median
#: SI-SDRi of speech 4.2 -> 5.8 dB, alarms 5.7 -> 6.9, animals 0.7 -> 2.3, noise 2.7 -> 4.0;
#: the other methods (textures, wind, instruments) did as well or better without.
AUTO_SPAN_METHODS = frozenset({"speech", "tonal", "foreground", "stationary"})
#: Given spans of these methods are completed with detected ones: silero-vad finds every
#: word, a user marks one or two (speech with given spans: median SI-SDRi 4.3 -> 6.3 dB).
UNION_SPAN_METHODS = frozenset({"speech"})
#: ... for inputs up to this long (s); longer ones would have to be analysed twice.
AUTO_SPAN_MAX_S = 300.0
#: Masks stay within [MASK_FLOOR, 1 - MASK_FLOOR]: a method that finds nothing (or
#: everything) then returns a scaled copy of the input instead of near-silence.
MASK_FLOOR = 0.03
#: The learned mask refiner's output is used only when it keeps at least this share of the
#: target energy the classic mask found (see ``_Plan.target``).
COLLAPSE_SHARE = 0.25
COLLAPSE_NOTE = "the mask network dropped most of the target; classic mask kept"


@dataclass
class _Plan:
    """Everything decided once per call; ``target`` then runs on each block."""

    sample_rate: int
    match: KindMatch | None
    span_model: SpanModel | None
    absent: tuple[Span, ...]
    strength: float
    hum: tuple[float, list[int]] | None = None
    warnings: list[str] = field(default_factory=list)
    #: "+" spans of the prompt (given or detected) and the learned refiner, when it is used.
    spans: tuple[Span, ...] = ()
    refiner: Any = None
    prompt_embedding: np.ndarray | None = None

    def target(self, x: np.ndarray, start: int) -> np.ndarray:
        if self.hum is not None:
            return hum_target(x, self.sample_rate, *self.hum)
        spec, cfg, p, mask = self.classic_mask(x, start)
        if self.refiner is not None:
            refined = self.refiner.refine(
                mask, p, cfg.sample_rate, cfg.n_fft, cfg.hop, self.prompt_embedding,
                start_s=start / cfg.sample_rate, spans=self.spans, has_spans=bool(self.spans),
            )
            # The same floor as the classic masks: a network sure the target is absent still
            # returns a scaled copy of the input, not silence (SI-SDR of silence is -inf).
            refined = np.clip(refined, MASK_FLOOR, 1.0 - MASK_FLOOR)
            # The network's one bad habit: deciding the prompted sound is not there at all.
            # When it keeps far less target energy than the classic mask, the classic mask stays.
            if (refined * p).sum() >= COLLAPSE_SHARE * (mask * p).sum():
                mask = refined
            elif COLLAPSE_NOTE not in self.warnings:  # once per call, not per block
                self.warnings.append(COLLAPSE_NOTE)
        if self.absent:
            # "-" anchors: the target is silent there, whatever the masks say.
            times = start / cfg.sample_rate + cfg.frame_times(p.shape[1])
            gate = np.ones_like(times)
            for a, b in self.absent:
                gate[(times >= a) & (times < b)] = 0.0
            mask = mask * np.convolve(gate, np.hanning(9) / np.hanning(9).sum(), mode="same")[None, :]
        return dsp.apply_mask(spec, mask, cfg, x.shape[1])

    def classic_mask(self, x: np.ndarray, start: int) -> tuple[Any, dsp.StftConfig, np.ndarray, np.ndarray]:
        """(STFT, its config, channel-averaged power, the classic engine's target mask) of a block."""
        sr = self.sample_rate
        cfg = dsp.StftConfig.for_rate(sr)
        spec = dsp.stft(x, cfg)
        p = dsp.power(spec)
        block = Block(x, cfg, spec, p)
        masks = []
        if self.match is not None:
            masks.append((METHODS[self.match.kind.method](block, self.match.kind), 1.0 - SPAN_WEIGHT))
        if self.span_model is not None:
            masks.append((self.span_model.mask(p), SPAN_WEIGHT))
        if not masks:  # neither text nor spans usable (spans too short to learn): as the plan's note says
            mask = np.full_like(p, 0.5)
        elif len(masks) == 1:
            mask = masks[0][0]
        elif COMBINE == "max":
            mask = np.maximum(masks[0][0], masks[1][0])
        elif COMBINE == "mean":
            mask = sum(w * m for m, w in masks) / sum(w for _, w in masks)
        elif COMBINE == "span":
            mask = masks[1][0]
        else:
            mask = np.exp(sum(w * np.log(m + 1e-4) for m, w in masks) / sum(w for _, w in masks))
        mask = np.clip(mask, MASK_FLOOR, 1.0 - MASK_FLOOR)
        if self.strength < 1.0:
            mask = 0.5 + self.strength * (mask - 0.5)
        return spec, cfg, p, mask


class BuiltinEngine:
    """Classic offline separation: kind-specific masks for text, span NMF for spans.

    Parameters
    ----------
    device : ignored (CPU only); accepted for the registry's common signature
    block_s : seconds per processing block (memory grows with it, quality barely does)
    use_embeddings : match unseen words with MiniLM (False: keywords only, no model load)
    auto_spans : let text-only prompts of kinds in ``AUTO_SPAN_METHODS`` find their own spans
    detector : how automatic spans are found: "auto" (the learned activity detector for the
        kinds its benchmark favours, the classic one elsewhere), "classic" or "learned"
    mask_net : the learned mask refiner (``samaudio_core.masknet``): "auto" (only for the
        sound kinds and prompt modes where the benchmark favours it, when its weights are
        shipped), True (always; an error when no weights are shipped) or False (never)
    speech_specialist : DeepFilterNet3 for speech (``speech_route.py``): a speech prompt's
        target is its speech, other prompts on audio with speech separate from the audio
        with speech removed. "auto" (when the runtime loads), True (an error when it does
        not) or False (never: the classic engine alone)
    span_fit : how span prompts are learnt (``span_nmf.py``): "contrast" (one dictionary split
        by how much more active each basis is inside the spans) or "supervised" (target bases
        from the spans alone, background bases learnt around them: the textbook baseline)
    """

    name = "builtin"
    #: ``separate(text=...)`` with ``auto_span`` left at None first finds where the target is
    #: active (``spans.find_spans``) and uses those intervals as a span prompt, on inputs up to
    #: this long (s). Chosen on the dev set's select split (60 mixtures, text-only prompts):
    #: median SI-SDRi +4.9 dB without, +7.7 dB with, worse than the input 20 % -> 13 %
    #: (benchmarks/bench_separation.py --split select --methods builtin_text,builtin_auto).
    #: Longer inputs stream block by block and keep the engine's own per-kind rule below.
    auto_span_by_default_up_to_s = AUTO_SPAN_MAX_S

    def __init__(
        self,
        device: str | None = None,
        block_s: float = chunking.BLOCK_S,
        use_embeddings: bool = True,
        auto_spans: bool = True,
        detector: str = "auto",
        mask_net: bool | str = "auto",
        speech_specialist: bool | str = "auto",
        span_fit: str = SPAN_FIT,
        **_: Any,
    ) -> None:
        if detector not in ("auto", "classic", "learned"):
            raise ValueError(f"detector must be 'auto', 'classic' or 'learned', not {detector!r}")
        if mask_net not in ("auto", True, False):
            raise ValueError(f"mask_net must be 'auto', True or False, not {mask_net!r}")
        if speech_specialist not in ("auto", True, False):
            raise ValueError(f"speech_specialist must be 'auto', True or False, not {speech_specialist!r}")
        if span_fit not in SPAN_FITS:
            raise ValueError(f"span_fit must be one of {', '.join(SPAN_FITS)}, not {span_fit!r}")
        self.span_fit = span_fit
        self.device = device
        self.block_s = float(block_s)
        self.use_embeddings = use_embeddings
        self.auto_spans = auto_spans
        self.detector = detector
        self.mask_net = mask_net
        self.speech_specialist = speech_specialist

    # -- planning ---------------------------------------------------------------------

    def plan(
        self,
        prompt: Prompt,
        sample_rate: int,
        duration: float,
        read: Callable[[float, float], np.ndarray],
        user_spans: bool | None = None,
    ) -> tuple[_Plan, dict[str, Any]]:
        """Decide kind, strength and span model; ``read(start_s, end_s)`` gives audio pieces.

        ``user_spans`` says whether the caller gave spans (as opposed to spans detected
        here); it picks the mask network's mode. Defaults to whether ``prompt`` has spans."""
        notes: list[str] = []
        match = match_kind(prompt.text, use_embeddings=self.use_embeddings) if prompt.text else None
        strength = 1.0
        if match is not None and match.confidence < LOW_CONFIDENCE:
            notes.append(
                f"the prompt '{prompt.text}' matches no known sound kind well (best: {match.kind.name}, "
                f"confidence {match.confidence:.2f}); separating gently"
            )
            # A near miss keeps ~70 % of the mask's contrast, a wild guess ~15 %.
            strength = 0.7 * float(np.clip(match.confidence / LOW_CONFIDENCE, 0.2, 1.0))
        spans = tuple(prompt.spans)
        coverage = sum(b - a for a, b in spans) / max(duration, 1e-9)
        span_model = None
        cfg = dsp.StftConfig.for_rate(sample_rate)
        use_spans = bool(spans) and (match is None or match.kind.method != "hum")
        if use_spans and coverage > MAX_SPAN_COVERAGE and (match is not None or prompt.absent):
            notes.append(f"the spans cover {coverage:.0%} of the input; using the text prompt alone")
            use_spans = False
        if use_spans:
            try:
                fit = SpanModel.fit_supervised if self.span_fit == "supervised" else SpanModel.fit
                span_model = fit(read, duration, cfg, spans, prompt.absent)
            except ValueError as exc:
                notes.append(f"span prompt ignored: {exc}")
            if span_model is not None and match is not None and span_model.contrast < MIN_CONTRAST:
                # The spans sound like the rest of the file (a continuous target): the
                # fingerprint cannot separate anything, the text method can.
                log.info("span contrast %.2f too low; text prompt alone", span_model.contrast)
                span_model = None
        hum = None
        if match is not None and match.kind.method == "hum":
            mono = read(0.0, min(duration, 30.0)).mean(axis=0)
            f0, harmonics = detect_hum(mono, sample_rate)
            hum = (f0, harmonics)
            if not harmonics:
                notes.append("no mains hum found; the target is silent")
        if match is not None and span_model is None:
            strength *= METHOD_STRENGTH.get(match.kind.method, 1.0)
        if match is None and span_model is None:
            notes.append("nothing usable in the prompt; the target is half the input")
            strength = 0.0
        plan = _Plan(sample_rate, match, span_model, tuple(prompt.absent), strength, hum, notes, spans)
        if match is not None and hum is None:
            with_spans = bool(spans) if user_spans is None else user_spans
            plan.refiner = self._refiner_for(match.kind.name, with_spans)
            if plan.refiner is not None:
                plan.prompt_embedding = embeddings.embed([prompt.text])[0]
        mode = "+".join(m for m, on in (("text", match is not None), ("span", span_model is not None)) if on)
        info: dict[str, Any] = {
            "engine": self.name,
            "kind": match.kind.name if match else None,
            "category": match.kind.category if match else None,
            "method": ("hum-notch" if hum else match.kind.method) if match else None,
            "confidence": round(match.confidence, 3) if match else (0.8 if span_model else 0.0),
            "match": match.how if match else None,
            "mode": mode or "none",
            "strength": round(strength, 3),
            "spans": [list(s) for s in spans] if span_model is not None else [],
            "span_contrast": round(span_model.contrast, 3) if span_model is not None else None,
            "absent": [list(s) for s in prompt.absent],
            "warnings": notes,
            "mask_net": plan.refiner is not None,
        }
        if hum:
            info["hum"] = {"f0": round(hum[0], 2), "harmonics": hum[1]}
        for note in notes:
            warnings.warn(note, stacklevel=3)
        return plan, info

    def _refiner_for(self, kind: str, with_spans: bool):
        """The learned mask refiner when this engine uses it for ``kind`` in this mode, else None."""
        if self.mask_net is False:
            return None
        if self.mask_net is True:
            return MaskRefiner.load_default()  # raises a clear error when no weights ship
        if not MaskRefiner.available():
            return None
        refiner = MaskRefiner.load_default()
        return refiner if refiner.preferred(kind, with_spans) else None

    def auto_span_default(self, prompt: Prompt, duration: float) -> bool:
        """Whether ``separate()`` with ``auto_span=None`` finds spans first (see
        ``auto_span_by_default_up_to_s``). Not for a speech target the specialist takes: it
        uses no spans, so finding them would be wasted work."""
        if duration > self.auto_span_by_default_up_to_s:
            return False
        if self.speech_specialist is not False and prompt.text:
            # The speech share is irrelevant to whether the prompt names speech: skip the VAD.
            route = speech_route.decide(prompt, None, 0, self.use_embeddings, share=lambda: 0.0)
            if route.route == "target" and self._speech_specialist_on():
                return False
        return True

    def _speech_specialist_on(self) -> bool:
        """Whether the speech specialist may route this engine's calls (see ``speech_route``)."""
        if self.speech_specialist is False:
            return False
        from . import speech_dfn

        usable, reason = speech_dfn.available()
        if not usable and self.speech_specialist is True:
            from ..errors import EngineUnavailableError

            raise EngineUnavailableError(f"speech_specialist=True but {reason}")
        return usable

    # -- running ----------------------------------------------------------------------

    def separate(self, audio: Audio, prompt: Prompt, *, progress: bool = False) -> SeparationResult:
        """Separate ``prompt``'s target from ``audio``; see :class:`SeparationResult`."""
        if prompt.mask is not None:
            return separate_masked(audio, prompt, engine=self, progress=progress)
        x, sr = audio.samples, audio.sample_rate
        prompt = prompt.validated_for(audio.duration)
        if self._speech_specialist_on():
            routed = speech_route.separate(self, audio, prompt, progress)
            if routed is not None:
                return routed
        user_spans = bool(prompt.spans)
        prompt, detected = self._auto_spans(audio, prompt)

        def read(a: float, b: float) -> np.ndarray:
            return x[:, int(a * sr) : int(b * sr)]

        plan, info = self.plan(prompt, sr, audio.duration, read, user_spans=user_spans)
        target, residual = chunking.separate_array(x, sr, plan.target, self.block_s, progress)
        info["blocks"] = len(chunking.plan(x.shape[1], sr, self.block_s))
        if detected:
            info["auto_spans"] = [list(s) for s in detected]
        return SeparationResult(target, residual, sr, info)

    def _auto_spans(self, audio: Audio, prompt: Prompt) -> tuple[Prompt, list[Span]]:
        """Add detected "+" spans to a text-only prompt when its kind gains from them."""
        if not (self.auto_spans and prompt.text and audio.duration <= AUTO_SPAN_MAX_S):
            return prompt, []
        match = match_kind(prompt.text, use_embeddings=self.use_embeddings)
        if match is None or match.confidence < LOW_CONFIDENCE:
            return prompt, []
        method = match.kind.method
        if not (method in AUTO_SPAN_METHODS and not prompt.spans) and not (
            method in UNION_SPAN_METHODS and prompt.spans
        ):
            return prompt, []
        detected = find_spans(audio, prompt.text, detector=self.detector)
        if not detected:
            return prompt, []
        merged: list[list[float]] = []
        for a, b in sorted([*prompt.spans, *detected]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return Prompt(prompt.text, tuple((a, b) for a, b in merged), prompt.absent, prompt.mask), detected

    def separate_file(
        self,
        in_path: str | os.PathLike,
        prompt: Prompt,
        out_target: str | os.PathLike,
        out_residual: str | os.PathLike | None = None,
        *,
        progress: bool = False,
    ) -> dict[str, Any]:
        """Stream a wav/flac (anything soundfile reads) to wav/flac outputs in bounded memory.

        Returns the info dict (as in :class:`SeparationResult`), plus ``duration``.
        """
        return separate_file(in_path, out_target, out_residual, prompt, engine=self, progress=progress)


def separate_file(
    in_path: str | os.PathLike,
    out_target: str | os.PathLike,
    out_residual: str | os.PathLike | None,
    prompt: Prompt,
    *,
    engine: BuiltinEngine | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Module-level form of :meth:`BuiltinEngine.separate_file`."""
    import soundfile as sf

    eng = engine or BuiltinEngine()
    try:
        info_sf = sf.info(str(in_path))
    except Exception as exc:
        raise AudioLoadError(f"{in_path}: not readable block by block ({exc})") from exc
    sr, duration = int(info_sf.samplerate), float(info_sf.frames) / info_sf.samplerate
    if info_sf.frames == 0:
        raise AudioLoadError(f"{in_path}: the file holds no audio (zero length)")
    prompt = prompt.validated_for(duration)
    if eng._speech_specialist_on():
        routed = speech_route.separate_file(eng, in_path, prompt, out_target, out_residual, progress)
        if routed is not None:
            return routed
    user_spans = bool(prompt.spans)
    detected: list[Span] = []
    if eng.auto_spans and prompt.text and not prompt.spans and duration <= AUTO_SPAN_MAX_S:
        # Short enough to hold in memory once (as the in-memory path would) for span detection.
        prompt, detected = eng._auto_spans(load_audio(in_path), prompt)

    def read(a: float, b: float) -> np.ndarray:
        try:
            with sf.SoundFile(str(in_path)) as f:
                f.seek(int(a * sr))
                return f.read(max(0, int(b * sr) - int(a * sr)), dtype="float32", always_2d=True).T
        except sf.LibsndfileError as exc:  # a corrupt frame part way through the file
            raise AudioLoadError(f"{in_path}: cannot decode past {a:.2f} s ({exc})") from None

    plan, info = eng.plan(prompt, sr, duration, read, user_spans=user_spans)
    blocks = chunking.plan(info_sf.frames, sr, eng.block_s)
    stream_to_files(
        in_path, out_target, out_residual, chunking.block_fn(plan.target), lambda n, rate: blocks, progress
    )
    info["duration"] = duration
    if detected:
        info["auto_spans"] = [list(s) for s in detected]
    info["blocks"] = len(blocks)
    return info


#: This engine's registry entry (registered by :mod:`samaudio_core.engines.registry`).
SPEC = EngineSpec(
    name="builtin",
    description="offline CPU engine: sound-kind masks for text, span-trained NMF for spans",
    factory=BuiltinEngine,
    priority=10,
)
