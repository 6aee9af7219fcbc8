"""The ``sam-audio`` engine: Meta's SAM Audio through samaudio's common separation API.

Optional: it needs the ``sam_audio`` package (installed from its repository), weights named
by ``SAMAUDIO_SAM_MODEL`` (a folder holding ``config.json`` + ``checkpoint.pt``, or a Hugging
Face id the user has access to) and, in practice, a CUDA GPU. :func:`check` says which is
missing, so ``samaudio engines`` can tell the user and ``engine="auto"`` falls back to the
built-in engine. What this adapter adds over calling SAM Audio directly, each a problem its
users report: it loads lean (no CLAP/judge rankers, span predictor or vision encoder unless
asked) so it fits small GPUs; it never downloads anything the user did not name (a missing
text encoder in the local cache is an error with the fix, not a hang); it handles any rate
and channel count (48 kHz mono in and out, stereo by one mid pass projected onto each
channel, outputs trimmed to the input); it chunks long files with crossfades and halves the
chunk on out-of-memory; and it returns silence, not invented audio, in chunks where the
target is absent (the user's "-" spans, automatic spans, SAM's own span predictor or the
judge). The signal logic lives in :mod:`.sam_chunking`, what it shares with SAM Audio Judge
(package, weights, hub, device) in :mod:`.sam_runtime`; this module talks to the model.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import judge_sam
from ..audio import Audio
from ..errors import EngineUnavailableError
from ..judge import Judge
from ..judge_types import SeparationJudge
from ..prompts import Prompt, Span
from ..spans import find_spans
from . import sam_chunking as sc
from .base import EngineSpec, SeparationResult
from .sam_runtime import (  # re-exported: the engine's environment and checks live there
    DEVICE_ENV,
    DOCS,
    DOWNLOAD_ENV,
    MODEL_ENV,
    allow_download,
    describe_text,
    device_reason,
    import_api,
    load_pretrained,
    missing_hub_dependencies,
    package_reason,
    pick_device,
    weights_reason,
)

log = logging.getLogger(__name__)

#: Default engine options for every caller (CLI included), e.g. "predict_spans=1,reranking_candidates=4".
OPTIONS_ENV = "SAMAUDIO_SAM_OPTIONS"
_OVERLAY_PREFIX = "samaudio-sam-"


__all__ = [
    "DEVICE_ENV",
    "DOWNLOAD_ENV",
    "MODEL_ENV",
    "OPTIONS_ENV",
    "SPEC",
    "SamAudioEngine",
    "SamAudioOptions",
    "check",
    "describe_text",
    "device_reason",
    "import_api",
    "load_pretrained",
    "missing_hub_dependencies",
    "options_from_env",
    "package_reason",
    "pick_device",
    "weights_reason",
]


def check() -> str | None:
    """Registry check: None when usable, else the first missing piece (package, weights, GPU)."""
    return package_reason() or weights_reason(os.environ.get(MODEL_ENV)) or device_reason()


# --- options ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SamAudioOptions:
    """Engine options (all may be passed to ``load_engine("sam-audio", ...)``)."""

    # Weights: folder with config.json + checkpoint.pt, or a hub id. Default: $SAMAUDIO_SAM_MODEL.
    model: str | None = None
    # SAM's PEA-Frame span predictor finds where the text target is active (loads ~1 GB more).
    predict_spans: bool = False
    # >1 draws this many candidates per chunk and keeps the judge's favourite (k times the time).
    reranking_candidates: int = 1
    # Chunking (s): SAM's memory grows with length; users report 25-30 s chunks work on 24 GB.
    chunk_seconds: float = 30.0
    overlap_seconds: float = 2.0
    # Out-of-memory halves the chunk, down to this length, before giving up with an error.
    min_chunk_seconds: float = 5.0
    # "mid-mask": one pass on the mid, projected onto each channel; "per-channel": one pass each.
    stereo: str = "mid-mask"
    # Silence where the target is absent: "auto" (SAM's span predictor when predict_spans,
    # else samaudio's automatic spans when available), "spans", "judge", or "none".
    gate: str = "auto"
    # Judge overall score (1-5) below which a chunk's target is taken as absent (gate="judge").
    gate_threshold: float = 2.0
    # Load the checkpoint's own CLAP/judge rankers (off: lean; reranking then uses our judge).
    rankers: bool = False
    # Keep the vision encoder: None = load it only when a visual prompt arrives.
    vision: bool | None = None
    # Issue #75: SAM's mask_videos helper blacks out the object (video * (mask == 0)); the paper
    # says video * mask. "processor" follows the shipped helper, "paper" keeps only the object.
    mask_polarity: str = "processor"
    # Seed for the flow-matching noise, set before every chunk: reproducible, and neighbouring
    # chunks start from the same noise, which limits drift between them.
    seed: int | None = 0
    # Fetch missing text encoder / span predictor from the hub (default: $SAMAUDIO_SAM_ALLOW_DOWNLOAD).
    allow_download: bool | None = None

    def __post_init__(self) -> None:
        if self.stereo not in ("mid-mask", "per-channel"):
            raise ValueError(f"stereo must be 'mid-mask' or 'per-channel', not {self.stereo!r}")
        if self.gate not in ("auto", "spans", "judge", "none"):
            raise ValueError(f"gate must be auto, spans, judge or none, not {self.gate!r}")
        if self.mask_polarity not in ("processor", "paper"):
            raise ValueError(f"mask_polarity must be 'processor' or 'paper', not {self.mask_polarity!r}")
        if int(self.reranking_candidates) < 1:
            raise ValueError("reranking_candidates must be >= 1")
        if self.chunk_seconds <= 0 or self.overlap_seconds < 0 or self.min_chunk_seconds <= 0:
            raise ValueError("chunk_seconds and min_chunk_seconds must be > 0, overlap_seconds >= 0")


def options_from_env(text: str | None = None) -> dict[str, Any]:
    """Parse ``$SAMAUDIO_SAM_OPTIONS`` ("key=value,key=value") into typed engine options."""
    text = os.environ.get(OPTIONS_ENV, "") if text is None else text
    types = {f.name: f.type for f in dataclasses.fields(SamAudioOptions)}
    out: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = item.partition("=")
        key, value = key.strip().replace("-", "_"), value.strip()
        if not sep or key not in types:
            raise ValueError(f"{OPTIONS_ENV}: cannot use '{item}' (valid keys: {', '.join(sorted(types))})")
        kind = str(types[key])
        if value.lower() in ("none", "null", ""):
            out[key] = None
        elif "bool" in kind:
            out[key] = value.lower() in ("1", "true", "yes", "on")
        elif kind.startswith("int"):
            out[key] = int(value)
        elif kind.startswith("float"):
            out[key] = float(value)
        else:
            out[key] = value
    return out


def _is_oom(exc: BaseException) -> bool:
    try:
        import torch

        if isinstance(exc, torch.cuda.OutOfMemoryError):
            return True
    except (ImportError, AttributeError):
        pass
    return isinstance(exc, (RuntimeError, MemoryError)) and (
        "out of memory" in str(exc).lower() or isinstance(exc, MemoryError)
    )


class _NoVision:
    """Stands in for the dropped vision encoder: SAM reads ``.dim`` to build zero video
    features when there is no visual prompt, and nothing else."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the vision encoder was not loaded (pass vision=True)")


def _spans_of(found: Any) -> list[Span]:
    out = []
    for s in found or ():
        if hasattr(s, "start") and hasattr(s, "end"):
            out.append((float(s.start), float(s.end)))
        else:
            out.append((float(s[0]), float(s[1])))
    return out


# --- the engine ------------------------------------------------------------------------------


class SamAudioEngine:
    """SAM Audio behind ``engine.separate(audio, prompt) -> SeparationResult``.

    Parameters
    ----------
    device : "cuda", "cuda:1", "cpu"; default ``$SAMAUDIO_SAM_DEVICE`` or the first GPU
    api : a module-like object with ``SAMAudio`` and ``SAMAudioProcessor`` (tests pass a
        stand-in); default: the ``sam_audio`` package, imported on first use
    judge : object with ``score(mixture, separated, text, sample_rate)`` (or ``score_48k``)
        for reranking and gate="judge"; default SAM Audio Judge when usable, else samaudio's
    span_detector : ``f(audio, text) -> spans`` (None = no opinion) for gating; default
        samaudio's ``find_spans`` when that module is present
    **options : see :class:`SamAudioOptions`; defaults for any caller can be set in
        ``$SAMAUDIO_SAM_OPTIONS`` ("predict_spans=1,reranking_candidates=4")
    """

    name = "sam-audio"

    def __init__(
        self,
        device: str | None = None,
        api: Any = None,
        judge: Any = None,
        span_detector: Any = None,
        **options: Any,
    ) -> None:
        valid = {f.name for f in dataclasses.fields(SamAudioOptions)}
        unknown = sorted(set(options) - valid)
        if unknown:
            raise ValueError(f"unknown sam-audio option(s) {unknown}; valid: {sorted(valid)}")
        self.options = SamAudioOptions(**{**options_from_env(), **options})
        self.device = device
        self._api = api
        self._judge = judge
        self._span_detector = span_detector
        self._model: Any = None
        self._processor: Any = None
        self._has_vision = False
        self._has_span_predictor = False

    # -- loading --

    def _model_name(self) -> str:
        name = self.options.model or os.environ.get(MODEL_ENV)
        reason = weights_reason(name)
        if reason:
            raise EngineUnavailableError(f"sam-audio: {reason} (see {DOCS})")
        return str(name)

    def _prepare_folder(self, name: str, predict_spans: bool) -> str:
        """Check a local folder's hub dependencies, and give the loader a config it can be
        lean with: SAM's loader only overrides keys present in config.json, so a config
        without ``span_predictor`` would load (and download) the default predictor."""
        folder = Path(name).expanduser()
        if not folder.is_dir():
            return name  # a hub id the user named: the loader fetches it
        config = json.loads((folder / "config.json").read_text())
        if not allow_download(self.options.allow_download):
            missing = missing_hub_dependencies(config, predict_spans, self.options.rankers)
            if missing:
                names = ", ".join(m.split()[0] for m in missing)
                fetch = "; ".join(f"hf download {m}" for m in missing)
                raise EngineUnavailableError(
                    f"sam-audio needs {names} from the Hugging Face hub and it is not in the local "
                    f"cache; fetch it once online ({fetch}), or set {DOWNLOAD_ENV}=1 to let the "
                    f"loader download it (see {DOCS})"
                )
        lean_keys = ["text_ranker", "visual_ranker"] if not self.options.rankers else []
        lean_keys += [] if predict_spans else ["span_predictor"]
        if all(k in config for k in lean_keys):
            return str(folder)
        overlay = Path(tempfile.mkdtemp(prefix=_OVERLAY_PREFIX))
        config.update({k: None for k in lean_keys})
        (overlay / "config.json").write_text(json.dumps(config))
        (overlay / "checkpoint.pt").symlink_to((folder / "checkpoint.pt").resolve())
        return str(overlay)

    def _load(self, vision: bool, predict_spans: bool) -> None:
        want_vision = vision or bool(self.options.vision)
        if (
            self._model is not None
            and (self._has_vision or not want_vision)
            and (self._has_span_predictor or not predict_spans)
        ):
            return
        name = self._model_name()
        api = self._api or import_api()
        self.device = pick_device(self.device)
        path = self._prepare_folder(name, predict_spans)
        lean: dict[str, Any] = {}
        if not self.options.rankers:
            lean.update(text_ranker=None, visual_ranker=None)
        if not predict_spans:
            lean["span_predictor"] = None
        self._model = None  # free the previous model before loading a bigger one
        try:
            model = load_pretrained(api.SAMAudio, path, **lean)
            self._processor = api.SAMAudioProcessor.from_pretrained(path)
        except Exception as exc:
            raise EngineUnavailableError(
                f"sam-audio: could not load '{name}' ({type(exc).__name__}: {exc}); check {MODEL_ENV} "
                f"and, for a hub id, that you were granted access and are logged in (see {DOCS})"
            ) from exc
        finally:
            if path.startswith(tempfile.gettempdir()) and Path(path).name.startswith(_OVERLAY_PREFIX):
                shutil.rmtree(path, ignore_errors=True)  # the lean config overlay has been read
        enc = getattr(model, "vision_encoder", None)
        if not want_vision and enc is not None and hasattr(enc, "dim"):
            # The vision encoder (PE-Core-L14, ~0.3 B parameters) is only used by visual prompts.
            dim = int(enc.dim)
            getattr(model, "_modules", {}).pop("vision_encoder", None)  # unregister the torch submodule
            object.__setattr__(model, "vision_encoder", _NoVision(dim))
        try:
            model = model.eval().to(self.device)
        except Exception as exc:
            if _is_oom(exc):
                raise EngineUnavailableError(
                    f"sam-audio: the model does not fit in {self.device} memory; use a smaller checkpoint "
                    "(facebook/sam-audio-small), keep predict_spans and rankers off, or free the GPU"
                ) from exc
            raise
        self._model = model
        self._has_vision = want_vision
        self._has_span_predictor = predict_spans

    # -- judging --

    def _get_judge(self) -> SeparationJudge:
        if self._judge is None:
            sam_judge = judge_sam.SamAudioJudge(device=self.device)
            self._judge = sam_judge if sam_judge.status() is None else Judge()
        return self._judge

    def _overall(self, mix48: np.ndarray, candidates: list[np.ndarray], text: str) -> list[float]:
        judge = self._get_judge()
        if hasattr(judge, "score_48k"):
            return [s["overall"] for s in judge.score_48k(mix48, candidates, text)]
        out = []
        for c in candidates:
            s = judge.score(mix48[None], c[None], text, sample_rate=sc.SAM_RATE)
            out.append(float(s["overall"] if isinstance(s, dict) else s.overall))
        return out

    # -- one chunk --

    def _predict_spans(self, batch: Any) -> list[Span] | None:
        """Run SAM's span predictor on its own, so its spans surely reach the model (in
        early releases ``separate(predict_spans=True)`` computed them and dropped them,
        issue #98) and so a chunk with no activity can be skipped. None if unsupported."""
        import torch

        m = self._model
        if not all(hasattr(m, a) for a in ("span_predictor", "predict_spans", "_get_audio_features")):
            return None
        try:
            with torch.inference_mode():
                feats = m._get_audio_features(batch.audios)
                m.predict_spans(batch=batch, audio_features=feats, audio_pad_mask=batch.audio_pad_mask)
        except (AttributeError, TypeError) as exc:  # another release's internals
            log.info("sam-audio: own span prediction unavailable (%s); leaving it to separate()", exc)
            return None
        anchors = (batch.anchors or [[]])[0]
        return [(float(a[1]), float(a[2])) for a in anchors if a[0] == "+"]

    def _masked_video(self, frames: np.ndarray, masks: np.ndarray) -> Any:
        import torch

        video = torch.from_numpy(np.ascontiguousarray(frames))
        mask = torch.from_numpy(np.ascontiguousarray(masks).astype(np.uint8))
        if self.options.mask_polarity == "paper":
            mask = 1 - mask  # the helper zeroes pixels where mask != 0: invert to keep the object
        return self._processor.mask_videos([video], [mask])

    def _run_model(self, batch: Any, k: int, predict: bool) -> tuple[np.ndarray, np.ndarray]:
        import torch

        with torch.inference_mode():
            res = self._model.separate(batch, predict_spans=predict, reranking_candidates=k)

        def arr(x: Any) -> np.ndarray:
            return x[0].detach().float().cpu().numpy().reshape(-1)

        return arr(res.target), arr(res.residual)

    def _separate_chunk(
        self, seg: np.ndarray, text: str, anchors: list[list], visual: tuple | None, info: dict
    ) -> tuple[np.ndarray, np.ndarray, str | None]:
        """One model pass on a 48 kHz mono segment; returns target, residual (trimmed to the
        segment) and, when the target turned out absent, why (then target is silence)."""
        import torch

        opts = self.options
        n = len(seg)
        silent = (np.zeros(n, np.float32), seg.astype(np.float32))
        kwargs: dict[str, Any] = {"descriptions": [text], "audios": [torch.from_numpy(seg.copy())[None]]}
        if anchors:
            kwargs["anchors"] = [anchors]
        if visual is not None:
            kwargs["masked_videos"] = self._masked_video(*visual)
        if opts.seed is not None:
            torch.manual_seed(opts.seed)
        batch = self._processor(**kwargs).to(self.device)

        predict = opts.predict_spans and not anchors and bool(text)
        if predict:
            found = self._predict_spans(batch)
            if found is not None:
                predict = False  # the spans are in the batch now
                info.setdefault("predicted_spans", []).append(found)
                if not found and opts.gate == "auto":
                    return *silent, "span predictor found no target activity"

        k = int(opts.reranking_candidates)
        if k > 1 and not opts.rankers:
            # Lean reranking: SAM without rankers would draw k candidates and keep the first.
            cands = []
            for i in range(k):
                if opts.seed is not None:
                    torch.manual_seed(opts.seed + i)
                cands.append(self._run_model(batch, 1, predict))
            scores = self._overall(seg, [sc.fit_length(t, n) for t, _ in cands], text)
            best = int(np.argmax(scores))
            info.setdefault("candidate_scores", []).append([round(s, 3) for s in scores])
            target, residual = cands[best]
        else:
            target, residual = self._run_model(batch, k, predict)
        target, residual = sc.fit_length(target, n), sc.fit_length(residual, n)

        if opts.gate == "judge" and text:
            overall = self._overall(seg, [target], text)[0]
            if overall < opts.gate_threshold:
                return *silent, f"judge overall {overall:.2f} < {opts.gate_threshold:g}"
        return target.astype(np.float32), residual.astype(np.float32), None

    # -- whole signals --

    def _run_chunks(
        self,
        x48: np.ndarray,
        prompt: Prompt,
        detected: list[Span] | None,
        visual: tuple | None,
        chunk: int,
        overlap: int,
        progress: bool,
        info: dict,
    ) -> tuple[np.ndarray, np.ndarray]:
        from ..blocks import Block, run_blocks

        text = describe_text(prompt.text)
        plan = sc.plan_chunks(len(x48), chunk, overlap)

        def one_chunk(seg: np.ndarray, c: Block) -> np.ndarray:
            t0, t1 = c.start / sc.SAM_RATE, c.end / sc.SAM_RATE
            why = sc.gate_reason(t0, t1, prompt.spans, prompt.absent, detected)
            if why is None:
                anchors = sc.build_anchors(prompt.spans, prompt.absent, t0, t1)
                vis = sc.frames_for_chunk(visual[0], visual[1], t0, t1) if visual else None
                t, r, why = self._separate_chunk(seg, text, anchors, vis, info)
            else:
                t, r = np.zeros(len(seg), np.float32), seg.astype(np.float32)
            if why:
                info["silent_chunks"].append([round(t0, 3), round(t1, 3), why])
            return np.stack([t, r])

        # The toolkit's one block runner: crossfaded overlap-add of target and residual together.
        stems = run_blocks(x48, one_chunk, plan, progress=progress, desc="sam-audio")
        info["chunks"] = len(plan)
        return stems[0], stems[1]

    def _separate_mono(
        self, mono: np.ndarray, sr: int, prompt: Prompt, detected, visual, progress: bool, info: dict
    ) -> tuple[np.ndarray, np.ndarray]:
        opts = self.options
        n = len(mono)
        x48 = sc.to_model_rate(mono, sr)
        chunk = int(opts.chunk_seconds * sc.SAM_RATE)
        overlap = int(opts.overlap_seconds * sc.SAM_RATE)
        while True:
            info["silent_chunks"] = []
            try:
                t48, r48 = self._run_chunks(x48, prompt, detected, visual, chunk, overlap, progress, info)
                break
            except Exception as exc:
                if not _is_oom(exc):
                    raise
                self._free_cache()
                if chunk // 2 < opts.min_chunk_seconds * sc.SAM_RATE:
                    raise EngineUnavailableError(
                        f"sam-audio ran out of {self.device} memory even on {chunk / sc.SAM_RATE:.0f} s chunks; "
                        "use a smaller checkpoint (facebook/sam-audio-small), reranking_candidates=1, "
                        "predict_spans off, or free the GPU"
                    ) from exc
                chunk //= 2
                overlap = min(overlap, chunk // 4)
                warnings.warn(
                    f"sam-audio: out of memory; retrying with {chunk / sc.SAM_RATE:.1f} s chunks",
                    stacklevel=2,
                )
                info["oom_retries"] = info.get("oom_retries", 0) + 1
        info["chunk_seconds"] = chunk / sc.SAM_RATE
        return sc.from_model_rate(t48, sr, n), sc.from_model_rate(r48, sr, n)

    def _free_cache(self) -> None:
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass

    def _detect(self, audio: Audio, prompt: Prompt) -> list[Span] | None:
        """Where the text target is active in the whole input, for gating; None = no detector."""
        gate = self.options.gate
        if not prompt.text or gate in ("none", "judge") or (gate == "auto" and self.options.predict_spans):
            return None
        detector = self._span_detector or find_spans
        found = detector(audio, prompt.text)
        if found is None or (gate == "auto" and not found):
            # A detector that hears the target nowhere is not trusted to silence everything
            # (a steady target such as rain has no "active" part); gate="spans" trusts it.
            return None
        return _spans_of(found)

    #: ``separate(candidates=k)`` is handled here (SAM Audio's reranking), not by refine().
    reranks_natively = True

    def separate(
        self,
        audio: Audio,
        prompt: Prompt,
        *,
        progress: bool = False,
        predict_spans: bool | None = None,
        candidates: int | None = None,
    ) -> SeparationResult:
        """Separate the prompted sound; target and residual come back shaped like the input.

        ``predict_spans`` and ``candidates`` override the engine's options for this call.
        """
        saved = self.options
        if predict_spans is not None:
            self.options = dataclasses.replace(self.options, predict_spans=bool(predict_spans))
        if candidates is not None:
            self.options = dataclasses.replace(self.options, reranking_candidates=int(candidates))
        try:
            return self._separate(audio, prompt, progress)
        finally:
            self.options = saved

    def _separate(self, audio: Audio, prompt: Prompt, progress: bool) -> SeparationResult:
        prompt = prompt.validated_for(audio.duration)
        opts = self.options
        self._load(vision=prompt.mask is not None, predict_spans=opts.predict_spans)
        visual = None
        if prompt.mask is not None:
            video = sc.read_video(prompt.mask.video)
            _, _, h, w = video.frames.shape
            masks = sc.object_masks(
                prompt.mask, len(video.frames), h, w, source_size=video.source_size, times=video.times
            )
            visual = (video, masks)
        detected = self._detect(audio, prompt)
        info: dict[str, Any] = {
            "engine": self.name,
            "model": opts.model or os.environ.get(MODEL_ENV),
            "description": describe_text(prompt.text),
            "anchors": sc.build_anchors(prompt.spans, prompt.absent),
            "stereo": opts.stereo if audio.channels > 1 else "mono",
            "gate": opts.gate,
        }
        if detected is not None:
            info["detected_spans"] = [list(s) for s in detected]
        x, sr = audio.samples, audio.sample_rate
        if audio.channels == 1 or opts.stereo == "mid-mask":
            t, r = self._separate_mono(sc.mid(x), sr, prompt, detected, visual, progress, info)
            if audio.channels == 1:
                target, residual = t[None], r[None]
            else:
                target, residual = sc.project_to_channels(x, t, r)
        else:
            outs = [self._separate_mono(ch, sr, prompt, detected, visual, progress, info) for ch in x]
            target = np.stack([o[0] for o in outs])
            residual = np.stack([o[1] for o in outs])
        if prompt.absent:
            # The user said the target is absent there: silence, whatever the model produced.
            g = sc.absent_gain(audio.num_samples, sr, prompt.absent)[None]
            residual = g * residual + (1 - g) * x
            target = g * target
        return SeparationResult(target.astype(np.float32), residual.astype(np.float32), sr, info)


#: This engine's registry entry (registered by :mod:`samaudio_core.engines.registry`).
SPEC = EngineSpec(
    name="sam-audio",
    description="Meta's SAM Audio (text, span and video-mask prompts; GPU and gated weights)",
    factory=SamAudioEngine,
    check=check,
    priority=5,
)
