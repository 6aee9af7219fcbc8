"""SAM Audio Judge behind samaudio's judge interface (optional; needs the ``sam_audio`` package).

``SamAudioJudge().score(mixture, separated, text, sample_rate)`` returns the same
``JudgeScore(overall, recall, precision, faithfulness)`` as the built-in judge, on the judge
model's ~1-5 scale. Inputs may be paths, ``Audio`` objects or (channels, samples) arrays at
any rate: they are mixed to mono and resampled to the model's 48 kHz, and the separated
signal is fitted to the mixture's length. Weights come from ``SAMAUDIO_SAM_JUDGE_MODEL`` (a
folder holding ``config.json``, ``checkpoint.pt`` and the tokenizer files, or a Hugging Face
id such as ``facebook/sam-audio-judge`` that the user has access to); nothing is downloaded
unless the user names a hub id. The model loads lazily on the first score.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

from .audio import Audio, load_audio
from .engines.sam_chunking import SAM_RATE, fit_length, to_model_rate
from .engines.sam_runtime import (
    describe_text,
    device_reason,
    import_api,
    load_pretrained,
    package_reason,
    pick_device,
    weights_reason,
)
from .errors import EngineUnavailableError, PromptError
from .judge_types import SCORES, JudgeScore

log = logging.getLogger(__name__)

#: Environment variable naming the judge's weights (folder or Hugging Face id).
JUDGE_ENV = "SAMAUDIO_SAM_JUDGE_MODEL"
NAME = "sam-audio-judge"
DESCRIPTION = "Meta's SAM Audio Judge (text prompts; GPU recommended)"


def status(model: str | None = None) -> str | None:
    """None when SAM Audio Judge can run here, else the reason (package, weights or GPU)."""
    return (
        package_reason()
        or weights_reason(model or os.environ.get(JUDGE_ENV), JUDGE_ENV, tokenizer=True)
        or device_reason()
    )


def check() -> str | None:
    """Same as :func:`status` with the configured weights (the name ``samaudio_core.judge`` looks up)."""
    return status()


def judge_row() -> dict[str, Any]:
    """This judge's line for ``samaudio engines`` (name, description, usable, reason)."""
    reason = status()
    return {"name": NAME, "description": DESCRIPTION, "usable": reason is None, "reason": reason}


def to_judge_score(scores: dict[str, float]) -> JudgeScore:
    """A ``JudgeScore`` from a dict holding the four scores (other keys are ignored)."""
    return JudgeScore.from_dict(scores)


def _mono_48k(x: Any, sample_rate: int | None, what: str) -> np.ndarray:
    if isinstance(x, np.ndarray):
        if sample_rate is None:
            raise ValueError(f"{what}: an array needs sample_rate")
        audio = Audio(x, sample_rate)
    else:
        audio = load_audio(x)  # paths and Audio objects carry their own rate
    return to_model_rate(audio.mono(), audio.sample_rate)


class SamAudioJudge:  # implements judge_types.SeparationJudge
    """Lazy wrapper around ``sam_audio.SAMAudioJudgeModel`` + ``SAMAudioJudgeProcessor``.

    Parameters
    ----------
    model : folder or hub id; default ``$SAMAUDIO_SAM_JUDGE_MODEL``
    device : "cuda", "cpu", ...; default ``$SAMAUDIO_SAM_DEVICE`` or the first GPU
    api : the module providing the two classes (tests pass a stand-in); default ``sam_audio``
    """

    name = NAME

    def __init__(self, model: str | None = None, device: str | None = None, api: Any = None) -> None:
        self.model_name = model or os.environ.get(JUDGE_ENV)
        self.device = device
        self._api = api
        self._model: Any = None
        self._processor: Any = None

    def status(self) -> str | None:
        if self._api is not None:  # a stand-in API: only the weights matter
            return weights_reason(self.model_name, JUDGE_ENV, tokenizer=True)
        return status(self.model_name)

    def _load(self) -> None:
        if self._model is not None:
            return
        reason = self.status()
        if reason is not None:
            raise EngineUnavailableError(f"{NAME} is not usable here: {reason}")
        api = self._api or import_api()
        self.device = pick_device(self.device)
        try:
            model = load_pretrained(api.SAMAudioJudgeModel, self.model_name)
            self._processor = api.SAMAudioJudgeProcessor.from_pretrained(self.model_name)
            self._model = model.eval().to(self.device)
        except Exception as exc:
            raise EngineUnavailableError(
                f"{NAME}: could not load '{self.model_name}' ({type(exc).__name__}: {exc}); "
                f"check that {JUDGE_ENV} names a folder with config.json, checkpoint.pt and the "
                "tokenizer files, or a hub id you have been granted access to"
            ) from exc

    def score_48k(
        self, mixture: np.ndarray, candidates: list[np.ndarray], text: str
    ) -> list[dict[str, float]]:
        """Scores of several separated candidates (48 kHz mono arrays) against one mixture."""
        import torch

        self._load()
        n = len(mixture)
        mix = torch.from_numpy(np.ascontiguousarray(mixture, np.float32))[None]
        seps = [
            torch.from_numpy(np.ascontiguousarray(fit_length(c, n), np.float32))[None] for c in candidates
        ]
        batch = self._processor(
            text=[describe_text(text)] * len(seps),
            input_audio=[mix] * len(seps),
            separated_audio=seps,
            sampling_rate=SAM_RATE,
        )
        with torch.inference_mode():
            out = self._model(**batch.to(self.device))
        cols = {k: getattr(out, k).float().reshape(-1).cpu().numpy() for k in SCORES}
        return [{k: float(cols[k][i]) for k in SCORES} for i in range(len(seps))]

    def score(
        self, mixture: Any, separated: Any, text: str | None, sample_rate: int | None = None
    ) -> JudgeScore:
        """Judge how well ``separated`` isolates ``text`` from ``mixture``.

        Parameters
        ----------
        mixture, separated : paths, ``Audio`` objects, or (channels, samples) arrays
        text : the target's description ("dog barking")
        sample_rate : Hz of array inputs (paths and ``Audio`` carry their own)

        Returns
        -------
        JudgeScore(overall, recall, precision, faithfulness), each ~1-5.
        """
        if not str(text or "").strip():
            raise PromptError(f"{NAME} needs a text prompt (the released judge is text-only)")
        mix = _mono_48k(mixture, sample_rate, "mixture")
        sep = _mono_48k(separated, sample_rate, "separated")
        return to_judge_score(self.score_48k(mix, [sep], text)[0])
