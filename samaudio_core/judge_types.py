"""The judge contract: the score every judge returns and the one method every judge has.

Both judges implement it: the built-in reference-free judge (:mod:`samaudio_core.judge`) and
SAM Audio Judge (:mod:`samaudio_core.judge_sam`). Code that only needs *a* judge (refinement,
the SAM Audio engine's reranking, the recipe runner) types against :class:`SeparationJudge`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol, runtime_checkable

#: Score names, in the order JudgeScore lists them.
SCORES = ("overall", "recall", "precision", "faithfulness")


@dataclass(frozen=True)
class JudgeScore:
    """Scores on SAM Audio Judge's scale: 1 (bad) .. 5 (excellent).

    overall : the judge's verdict on the separation as a whole
    recall : how much of the prompted sound is in the output (silence -> 1)
    precision : how little of anything else is in the output (the unprocessed mixture -> low)
    faithfulness : how free of artefacts and distortion the output is
    """

    overall: float
    recall: float
    precision: float
    faithfulness: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(float(v), 3) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, scores: dict[str, float]) -> JudgeScore:
        """The score from a dict holding (at least) the four names; other keys are ignored."""
        return cls(**{f.name: float(scores[f.name]) for f in fields(cls)})


@runtime_checkable
class SeparationJudge(Protocol):
    """What every judge provides: a score for one separated output against its mixture."""

    def score(
        self, mixture: Any, separated: Any, text: str | None, sample_rate: int | None = None
    ) -> JudgeScore:
        """Score ``separated`` as the part of ``mixture`` that ``text`` describes.

        Parameters
        ----------
        mixture, separated : file paths, ``Audio`` objects or (channels, samples) arrays
            (arrays need ``sample_rate``, in Hz); the output is compared over the mixture's length
        text : the prompt the output was separated for

        Returns
        -------
        JudgeScore with overall, recall, precision and faithfulness on the 1-5 scale.
        """
        ...
