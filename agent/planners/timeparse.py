"""Words to numbers, and times and durations as people write or say them.

Spoken instructions reach the planner through Whisper, which often writes numbers as words
("three decibels", "forty five seconds", "two point five"); :func:`words_to_numbers` turns
them into digits first so every later rule deals with digits only. :func:`find_times` then
replaces each time expression (``between 0:30 and 0:45``, ``the last 10 seconds``,
``after 1m30s``, ``from 00:01:30.5 to 1:40`` ...) by a placeholder ``§N`` and returns what it
stood for as a :class:`TimeRef`, which is resolved against the input's duration only when a
step needs it (``the last 10 seconds`` of a file of unknown length is an error, but a fade
over ``the last 6 seconds`` needs no duration at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samaudio_core.errors import SamaudioError

from .lazyre import LazyPattern

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUM_WORD = "|".join(sorted([*_UNITS, *_TENS, "hundred"], key=len, reverse=True))
# A run of number words, optionally signed, with "point five" decimals and "and a half".
_RUN = re.compile(
    rf"\b(?:(?P<sign>minus|negative|plus)\s+)?"
    rf"(?P<body>(?:{_NUM_WORD})(?:[\s-]+(?:{_NUM_WORD}|point|and a half))*)\b"
)
_SIGNED_DIGITS = re.compile(r"\b(minus|negative|plus)\s+(?=\d)")


def _run_value(words: list[str]) -> float | None:
    """Value of a run like ['forty', 'five'] or ['two', 'point', 'five']; None if malformed."""
    half = 0.0
    if words[-3:] == ["and", "a", "half"]:
        half, words = 0.5, words[:-3]
    if "point" in words:
        i = words.index("point")
        whole, frac = words[:i], words[i + 1 :]
        if not frac or any(w not in _UNITS or _UNITS[w] > 9 for w in frac):
            return None
        base = _run_value(whole) if whole else 0.0
        if base is None:
            return None
        return base + float("0." + "".join(str(_UNITS[w]) for w in frac))
    total, current = 0, 0
    last = None  # 'unit' | 'teen' | 'tens' | 'hundred': forbids "five six" or "twenty thirty"
    for w in words:
        if w == "hundred":
            if last == "hundred":
                return None
            current = max(current, 1) * 100
            last = "hundred"
        elif w in _TENS:
            if last in ("unit", "teen", "tens"):
                return None
            current += _TENS[w]
            last = "tens"
        elif w in _UNITS:
            if last in ("unit", "teen"):
                return None
            current += _UNITS[w]
            last = "teen" if _UNITS[w] >= 10 else "unit"
        else:
            return None
    return float(total + current) + half


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def words_to_numbers(text: str) -> str:
    """Rewrite number words as digits: 'three decibels' -> '3 decibels', 'minus three' -> '-3'.

    Runs that do not form one number ("five six") are converted word by word.
    ``half a second`` / ``a second`` / ``a minute`` become ``0.5 second`` / ``1 second`` /
    ``1 minute`` (the phrases a speaker uses for short fades and trims).
    """
    text = re.sub(r"\bhalf[ -](?:a |an )?(second|minute|hour)\b", r"0.5 \1", text)
    text = re.sub(r"\b(?:a )?quarter[ -](?:of a )?second\b", "0.25 second", text)  # "a quarter second fade"
    # "the first minute and fifteen seconds", "the first minute and a quarter": one minute and more
    text = re.sub(
        r"\b(first|last|final|opening) minute and (?=a quarter\b|three quarters\b|[\w-]+ seconds?\b)", r"\1 1 minute and ", text
    )
    text = re.sub(r"\b(?:a|one) (second|minute) and a half\b", r"1.5 \1s", text)
    # "a minute and a quarter", "2 minutes and three quarters"
    text = re.sub(
        r"\b(a|one|\d+) (second|minute)s? and (a quarter|three quarters)\b",
        lambda m: f"{(1 if not m.group(1).isdigit() else int(m.group(1))) + (0.25 if m.group(3) == 'a quarter' else 0.75):g} "
        f"{m.group(2)}s",
        text,
    )
    text = re.sub(r"\b(first|last|final|opening) (second|minute) and a half\b", r"\1 1.5 \2s", text)
    text = re.sub(
        # ("from a minute to a minute ten", "between a minute and a minute twenty": the time words too)
        r"\b(over|for|in|of|first|last|by|after|before|from|to|at|until|till|between|and|around|past|through) "
        r"(?:a|one) (second|minute)\b",
        r"\1 1 \2",
        text,
    )

    def repl(m: re.Match) -> str:
        words = re.split(r"[\s-]+", m.group("body").strip())
        value = _run_value(words)
        if value is None:  # not one number: convert what can be converted, word by word
            return " ".join(
                _fmt(_UNITS.get(w, _TENS.get(w, 0))) if (w in _UNITS or w in _TENS) else w for w in words
            )
        sign = {"minus": "-", "negative": "-", "plus": "+"}.get(m.group("sign") or "", "")
        return sign + _fmt(value)

    text = _RUN.sub(repl, text)
    # "minus 3 dB" -> "-3 dB" (digits already, sign still a word)
    return _SIGNED_DIGITS.sub(lambda m: "-" if m.group(1) != "plus" else "+", text)


# --- times -------------------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
_SEC = r"(?:seconds?|secs?|s)\b"
_MIN = r"(?:minutes?|mins?|m)\b"
_MINC = r"(?:minutes?|mins?|m)"  # inside a compound such as 1m30s, where no word boundary follows
# One time value. Alternatives are ordered so that the longest form wins.
TIME = (
    rf"(?:\d{{1,2}}:\d{{2}}:\d{{2}}(?:\.\d+)?"  # 00:01:30.5
    rf"|\d{{1,3}}:\d{{2}}(?:\.\d+)?"  # 1:30
    rf"|\d+\s*h(?:ours?)?\s*\d+\s*m(?:in(?:utes?)?)?(?:\s*{_NUM}\s*{_SEC})?"  # 1h2m3s
    rf"|\d+\s*{_MINC}\s*(?:and\s+)?{_NUM}\s*(?:{_SEC})?"  # 1m30s, 1 minute 30 seconds
    rf"|{_NUM}\s*(?:{_SEC}|{_MIN}|h(?:ours?)?\b)"  # 90 s, 2 minutes
    rf"|{_NUM}(?!\.?\d))"  # bare number: seconds (a full stop after it ends the sentence)
)
# Numbers followed by these are amounts, not times.
_NOT_TIME = (
    r"(?!\s*(?:db\b|dbs\b|decibels?\b|lufs\b|lu\b|%|percent\b|times\b|x\b|steps?\b|changes?\b|edits?\b|operations?\b|actions?\b|k?hz\b|-?bits?\b|"
    r"kbps\b|khz\b))"
)


def parse_time_value(text: str) -> tuple[float, str | None]:
    """Seconds for one time value matched by ``TIME``, and its unit ('s', 'm', 'h' or None)."""
    s = text.strip().lower()
    if ":" in s:
        value = 0.0
        for part in s.split(":"):
            value = value * 60 + float(part)
        return value, "clock"
    m = re.fullmatch(rf"(\d+)\s*h(?:ours?)?\s*(\d+)\s*m(?:in(?:utes?)?)?(?:\s*({_NUM})\s*{_SEC})?", s)
    if m:
        return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3) or 0), "h"
    m = re.fullmatch(rf"(\d+)\s*{_MINC}\s*(?:and\s+)?({_NUM})\s*(?:{_SEC})?", s)
    if m:
        return int(m.group(1)) * 60 + float(m.group(2)), "m"
    m = re.fullmatch(rf"({_NUM})\s*({_SEC}|{_MIN}|h(?:ours?)?\b)?", s)
    if not m:
        raise SamaudioError(f"cannot read '{text}' as a time")
    value, unit = float(m.group(1)), m.group(2)
    if unit is None:
        return value, None
    if unit.startswith("h"):
        return value * 3600, "h"
    if unit.startswith("m"):
        return value * 60, "m"
    return value, "s"


@dataclass
class TimeRef:
    """A time expression found in an instruction, resolved later against the duration.

    kind: 'range' (a..b), 'first' (0..n), 'last' (end-n..end), 'after' (a..end),
    'before' (0..a), 'until_last' (0..end-n), 'ends' (the first and the last n) or 'point'
    (around a). ``prep`` is the word
    just before it ("at", "in", "during", "between", "from", "to" ...), which decides span
    prompt vs range unless the sentence says the sound is heard there (``span``). ``exclude``
    marks "everywhere except <this>".
    """

    kind: str
    a: float = 0.0
    b: float = 0.0
    prep: str = ""
    text: str = ""
    exclude: bool = False
    span: bool = False  # where the target is heard ("audible from A to B", "use A-B as a reference")
    reference: bool = False  # "use the first 3 s as the noise profile": a span prompt, whatever its kind

    @property
    def length(self) -> float | None:
        """Length (s) when known without the duration: the first/last N seconds, a range."""
        if self.kind in ("first", "last"):
            return self.a
        if self.kind == "range":
            return self.b - self.a
        return None

    def intervals(self, duration: float | None) -> list[tuple[float, float]]:
        """All (start, end) stretches it names: one, or two for "the first and last 2 seconds"."""
        if self.kind == "ends":
            return [
                TimeRef("first", self.a).resolve(duration),
                TimeRef("last", self.a, text=self.text).resolve(duration),
            ]
        return [self.resolve(duration)]

    def resolve(self, duration: float | None) -> tuple[float, float]:
        """(start, end) seconds; raises SamaudioError when reversed or when the duration is needed."""
        if self.kind == "range":
            if self.b <= self.a:
                raise SamaudioError(
                    f"the range '{self.text}' is reversed or empty (the end must come after the start)"
                )
            return self.a, self.b
        if self.kind == "first":
            return 0.0, self.a
        if self.kind == "before":
            if self.a <= 0:
                raise SamaudioError(f"'{self.text}' is an empty stretch")
            return 0.0, self.a
        if self.kind == "point":
            return max(0.0, self.a - 0.5), self.a + 0.5
        if duration is None:
            raise SamaudioError(
                f"'{self.text}' needs the length of the input, which is unknown here (give --duration)"
            )
        if self.kind == "until_last":
            if self.a >= duration:
                raise SamaudioError(f"'{self.text}' is longer than the audio ({duration:.2f} s)")
            return 0.0, duration - self.a
        if self.kind == "last":
            if self.a >= duration:
                raise SamaudioError(f"'{self.text}' is longer than the audio ({duration:.2f} s)")
            return duration - self.a, duration
        if self.kind == "after":
            if self.a >= duration:
                raise SamaudioError(f"'{self.text}' is past the end of the audio ({duration:.2f} s)")
            return self.a, duration
        raise AssertionError(self.kind)


#: "10 seconds into the clip": what the time is counted into
_INTO_THE = (
    r"(?: (?:the|this|my|our) (?:whole |entire )?(?:clip|track|recording|song|video|audio|file|interview|podcast|"
    r"episode|take|footage|tape|voiceover|lecture|vlog|rehearsal|show|movie|film|stream))?"
)
_PREP = r"(?P<prep>\b(?:at|in|during|for|to|on|around|only|over|of)\s+)?"
# Round 4 (issue 14): each opens on a time value, which the regex engine would try at every
# position of every instruction, so each is tried (and compiled) only when one of its words is
# there (_NEEDS).
#: "for 10 seconds starting at 0:40": the length first, then the start
_LENGTH_THEN_START = LazyPattern(
    rf"{_PREP}\bfor\s+(?:the\s+)?(?:next\s+|following\s+)?(?P<t2>{TIME}){_NOT_TIME}\s+(?:starting|beginning|"
    rf"from|after)\s+(?:at\s+|from\s+)?(?P<t1>{TIME}){_NOT_TIME}"
)
#: "starting half a minute in", "from 20 seconds into the song": from there to the end
_COUNTED_IN = LazyPattern(
    rf"{_PREP}\b(?:starting|beginning|starts?|begins?|kicks? in|comes? in|from|after)\s+(?:at\s+|from\s+)?"
    rf"(?P<t1>{TIME}){_NOT_TIME}\s+in(?:to)?"
    rf"{_INTO_THE}\b(?:\s+(?:on|onwards?)\b)?(?!\s*(?:to|until|till|through|thru|-|and|up to|up until)\b)"
)
#: "take 2 seconds off both ends", "trim both ends by 1 s"
_OFF_BOTH_ENDS = LazyPattern(
    rf"{_PREP}(?<![\w.:])(?P<t1>{TIME}){_NOT_TIME}\s+(?:off|from|at|of|on)\s+(?:both|either|each)\s+"
    rf"(?:ends?|sides?)\b|\b(?:both|either|each) ends? by\s+(?P<t1b>{TIME}){_NOT_TIME}"
)
_NEEDS: dict[object, tuple[str, ...]] = {
    _LENGTH_THEN_START: ("for",),
    _COUNTED_IN: (" in",),
    _OFF_BOTH_ENDS: ("both", "either", "each"),
}

_PATTERNS: list[tuple[str, re.Pattern | LazyPattern]] = [
    (
        "range_for",  # "from 0:10 for 5 seconds"
        re.compile(
            rf"{_PREP}\b(?:from|starting at|at)\s+(?P<t1>{TIME}){_NOT_TIME}\s+for\s+(?:the next\s+)?(?P<t2>{TIME}){_NOT_TIME}"
        ),
    ),
    ("range_for", _LENGTH_THEN_START),
    ("after", _COUNTED_IN),
    ("ends", _OFF_BOTH_ENDS),
    # "the hum starts at 0:10" / "stops at 1:20"; "10 seconds into the clip"
    (
        "after",
        re.compile(
            rf"\b(?:starts?|starting|begins?|beginning|kicks? in|comes? in) (?:at|from)\s+(?P<t1>{TIME}){_NOT_TIME}"
        ),
    ),
    (
        "before",
        re.compile(rf"\b(?:stops?|ends?|ending|finishes|goes away) (?:at|by)\s+(?P<t1>{TIME}){_NOT_TIME}"),
    ),
    (
        "point",
        re.compile(
            rf"(?<![\w.:])(?<!\bto )(?<!\band )(?<!-)(?<!- )(?P<t1>{TIME}){_NOT_TIME}\s+in(?:to)?{_INTO_THE}\b"
        ),
    ),
    (
        "ends",
        re.compile(
            rf"{_PREP}\b(?:the\s+)?first and (?:the\s+)?last\s+(?P<t1>{TIME}|minute|second|hour){_NOT_TIME}"
        ),
    ),
    (
        "before",
        re.compile(
            rf"{_PREP}\bfrom the (?:start|beginning) (?:to|until|till|up to)\s+(?P<t1>{TIME}){_NOT_TIME}"
        ),
    ),
    # "after the first minute" / "before the last 10 seconds" before "the first/last N" alone
    (
        "after",
        re.compile(
            rf"{_PREP}\b(?:after|past|beyond) (?:the )?(?:first|opening|initial)\s+(?P<t1>{TIME}|minute|second|hour){_NOT_TIME}"
        ),
    ),
    (
        "until_last",
        re.compile(
            rf"{_PREP}\b(?:before|until|till|up to) (?:the )?(?:last|final|closing)\s+(?P<t1>{TIME}|minute|second|hour){_NOT_TIME}"
        ),
    ),
    (
        "range",
        re.compile(
            rf"{_PREP}\b(?:between|betwen)\s+(?P<t1>{TIME}){_NOT_TIME}\s*(?:and|-|to)\s*(?P<t2>{TIME}){_NOT_TIME}"
        ),
    ),
    (
        "after",
        re.compile(
            rf"{_PREP}\bfrom\s+(?P<t1>{TIME}){_NOT_TIME}\s*(?:on|onwards?|to the end|until the end|till the end)\b"
        ),
    ),
    (
        "range",
        re.compile(
            rf"{_PREP}\bfrom\s+(?P<t1>{TIME}){_NOT_TIME}\s*(?:up to|up until|to|until|till|through|thru|-|and)\s*"
            rf"(?P<t2>{TIME}){_NOT_TIME}"
        ),
    ),
    (
        "range",
        re.compile(
            rf"{_PREP}(?<![\w.:-])(?P<t1>{TIME}){_NOT_TIME}\s*(?:-|–|to|until|till|through|thru)\s*(?P<t2>{TIME}){_NOT_TIME}"
        ),
    ),
    (
        "first",
        re.compile(
            rf"{_PREP}\b(?:the\s+)?(?:first|opening|initial)\s+(?P<t1>{TIME}|minute|second|hour){_NOT_TIME}"
        ),
    ),
    (
        "last",
        re.compile(
            rf"{_PREP}\b(?:the\s+)?(?:last|final|closing)\s+(?P<t1>{TIME}|minute|second|hour){_NOT_TIME}"
        ),
    ),
    (
        "first",
        re.compile(
            rf"{_PREP}(?<![\w.:])(?P<t1>{TIME}){_NOT_TIME}\s+(?:from|off|at|of) the (?:start|beginning|front|top)\b"
        ),
    ),
    (
        "last",
        re.compile(
            rf"{_PREP}(?<![\w.:])(?P<t1>{TIME}){_NOT_TIME}\s+(?:from|off|at|of) the (?:end|back|tail)\b"
        ),
    ),
    ("first", re.compile(rf"{_PREP}\bthe (?:start|beginning|front|intro) by (?P<t1>{TIME}){_NOT_TIME}")),
    ("last", re.compile(rf"{_PREP}\bthe (?:end|ending|tail|outro) by (?P<t1>{TIME}){_NOT_TIME}")),
    ("after", re.compile(rf"{_PREP}\b(?:after|past|beyond|later than)\s+(?P<t1>{TIME}){_NOT_TIME}")),
    # "fade out from 1:50", "remove the hum starting from 0:30": from there to the end
    (
        "after",
        re.compile(
            rf"{_PREP}\b(?:from|starting (?:at|from)|beginning at)\s+(?P<t1>{TIME}){_NOT_TIME}"
            rf"(?!\s*(?:to|until|till|through|thru|-|–|and|for|up to|up until)\b)"
        ),
    ),
    (
        "before",
        re.compile(
            rf"{_PREP}\b(?:before|until|till|up to|up until|earlier than)\s+(?P<t1>{TIME}){_NOT_TIME}"
        ),
    ),
    ("point", re.compile(rf"(?P<prep>\b(?:at|around)\s+)(?P<t1>{TIME}){_NOT_TIME}")),
]


# (a pattern's hash is that of its text: looked up once here, not per instruction)
_GUARDED = [(kind, pattern, _NEEDS.get(pattern)) for kind, pattern in _PATTERNS]


def _value(text: str) -> tuple[float, str | None]:
    if text in ("minute", "second", "hour"):
        return {"minute": 60.0, "second": 1.0, "hour": 3600.0}[text], text[0]
    return parse_time_value(text)


def find_times(text: str) -> tuple[str, list[TimeRef]]:
    """Replace every time expression in ``text`` by ``§N``; return the text and the TimeRefs."""
    refs: list[TimeRef] = []
    for kind, pattern, needs in _GUARDED:
        if needs is not None and not any(w in text for w in needs):
            continue  # a pattern that opens on a time is tried everywhere: skip it when its words are absent

        def repl(m: re.Match, kind: str = kind, pattern: re.Pattern = pattern) -> str:
            first = m.group("t1") if m.group("t1") is not None else m.group("t1b")  # two spellings of one pattern
            t1, unit1 = _value(first)
            t2 = 0.0
            if "t2" in pattern.groupindex and m.group("t2"):
                t2, unit2 = _value(m.group("t2"))
                # "1 to 2 minutes": a bare first value takes the unit of the second.
                if unit1 is None and unit2 in ("m", "h"):
                    t1 *= 60 if unit2 == "m" else 3600
            if kind == "point" and unit1 is None and t1 > 0 and not re.search(r"\d", first):
                return m.group(0)
            prep = (m.groupdict().get("prep") or "").strip()
            if kind == "range_for":
                kind, t2 = "range", t1 + t2
            refs.append(TimeRef(kind, t1, t2, prep, m.group(0).strip()))
            lead = f"{prep} " if prep else ""
            return f" {lead}§{len(refs) - 1} "

        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip(), refs


_DURATION = re.compile(rf"(?P<t>{TIME})(?:\s*-?\s*(?:long|length))?")


def find_duration(text: str) -> float | None:
    """The first explicit length in ``text`` ('over 2 seconds', 'a 5 second fade', '1.5 s')."""
    m = re.search(
        rf"(?<![\w.:])(\d+\s*{_MINC}\s*(?:and\s+)?{_NUM}\s*(?:{_SEC})?|{_NUM}\s*-?\s*(?:{_SEC}|{_MIN})|\d+:\d{{2}}(?:\.\d+)?)",
        # "across three whole minutes": the length said with "whole/full/entire" before its unit
        re.sub(r"(?<=\d) (?:whole|full|entire|long) (?=(?:seconds?|secs?|minutes?|mins?)\b)", " ", text),
    )
    if not m:
        return None
    return parse_time_value(m.group(1).replace("-", " "))[0]
