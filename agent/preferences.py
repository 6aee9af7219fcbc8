"""Standing preferences: one parser for "always export mp3", "never …", "from now on …".

Session memory (:func:`detect_preference`, :class:`Preferences`) and the rules planner
(``agent.planners.rules.extract_preferences``) both read statements through
:func:`parse_preference`, so what the planner notes is what memory later applies.

A statement is *standing* when it has a marker such as "always", "from now on", "by default",
"in future", "going forward", "next time", "as a rule", "prefer" or "never" ("never mind" is
an undo, and "whenever"/"every time" are times inside an edit, not preferences). What it asks
for is read as PlanContext.preferences keys: ``export_format`` (wav, flac, mp3, ogg),
``removal`` ("gentle" or "full"), ``lufs`` (a negative integrated loudness), and
``avoid_format`` for "never export mp3".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Words naming an export format, and the format they mean.
FORMAT_WORDS = {
    "mp3": "mp3",
    "wav": "wav",
    "wave": "wav",
    "flac": "flac",
    "ogg": "ogg",
    "vorbis": "ogg",
    "oga": "ogg",
}

STANDING = re.compile(
    r"\b(?:always|from now on|by default|default|in (?:the )?future|going forward|next time|as a rule|"
    r"prefer|preferred|never(?! ?mind))\b"
)
_NEVER = re.compile(r"\b(?:never|don'?t ever|do not ever)\b")
_FORMAT = re.compile(r"\b(" + "|".join(FORMAT_WORDS) + r")s?\b")
_GENTLE = re.compile(
    r"\b(?:gentle|gently|subtle|light|lighter|mild|soft|softer|not (?:too )?(?:much|aggressive))\b"
)
_FULL = re.compile(
    r"\b(?:full|fully|complete|completely|aggressive(?:ly)?|strong(?:ly)?|thorough(?:ly)?|total(?:ly)?)\b"
)
_LUFS = re.compile(r"(-?\s?\d+(?:\.\d+)?)\s*(?:lufs|lu)\b")
_LOUDNESS = re.compile(r"\bnormali[sz]\w*|\bloudness\b|\blufs\b|\blevel\b")


def _normalise(text: str) -> str:
    t = text.lower().strip()
    t = t.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[\u2010-\u2015\u2212]", "-", t)  # all dashes and the minus sign


def is_standing(text: str) -> bool:
    """Whether ``text`` states a standing preference (it may also ask for an edit now)."""
    return bool(STANDING.search(_normalise(text)))


def parse_preference(text: str) -> dict[str, Any]:
    """What a standing statement asks for, as PlanContext.preferences keys; {} for none.

    "always export mp3" -> {"export_format": "mp3"}; "I prefer gentle noise removal" ->
    {"removal": "gentle"}; "normalize to -16 LUFS by default" -> {"lufs": -16.0};
    "never export mp3" -> {"avoid_format": "mp3"}; "remove the wind" -> {}.
    """
    t = _normalise(text)
    if not STANDING.search(t):
        return {}
    never = bool(_NEVER.search(t))
    prefs: dict[str, Any] = {}
    fmt = _FORMAT.search(t)
    if fmt:
        prefs["avoid_format" if never else "export_format"] = FORMAT_WORDS[fmt.group(1)]
    gentle, full = bool(_GENTLE.search(t)), bool(_FULL.search(t))
    if gentle or full:
        # "never remove noise aggressively" asks for gentle removal, "never gently" for full.
        prefs["removal"] = "gentle" if gentle != never else "full"
    m = _LUFS.search(t)
    if m and _LOUDNESS.search(t):
        prefs["lufs"] = -abs(float(m.group(1).replace(" ", "")))
    return prefs


def detect_preference(text: str) -> str | None:
    """The instruction itself when it states a standing preference, else None."""
    t = text.strip()
    return t if t and is_standing(t) else None


@dataclass
class Preferences:
    """What stated preferences mean for later plans (the latest statement wins)."""

    export_format: str | None = None
    gentle_removal: bool = False
    lufs: float | None = None
    statements: list[str] = field(default_factory=list)

    @classmethod
    def from_statements(cls, statements: list[str]) -> Preferences:
        prefs = cls(statements=list(statements))
        for s in statements:  # chronological: a later statement overrides an earlier one
            said = parse_preference(s)
            if "export_format" in said:
                prefs.export_format = said["export_format"]
            if said.get("avoid_format") == prefs.export_format:
                prefs.export_format = None
            if "removal" in said:
                prefs.gentle_removal = said["removal"] == "gentle"
            if "lufs" in said:
                prefs.lufs = said["lufs"]
        return prefs

    def with_statement(self, statement: str) -> Preferences:
        """These preferences plus one more statement (it wins over earlier ones)."""
        return Preferences.from_statements([*self.statements, statement])

    def to_context(self) -> dict[str, Any]:
        """As PlanContext.preferences keys (what the planners read)."""
        d: dict[str, Any] = {}
        if self.export_format:
            d["export_format"] = self.export_format
        if self.gentle_removal:
            d["removal"] = "gentle"
        if self.lufs is not None:
            d["lufs"] = self.lufs
        return d


__all__ = ["FORMAT_WORDS", "Preferences", "detect_preference", "is_standing", "parse_preference"]
