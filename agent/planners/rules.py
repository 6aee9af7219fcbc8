"""The embedded ``rules`` planner: offline, deterministic, instant.

It reads an instruction in four passes. (1) Safety: shell commands and paths that leave the
output folder are refused before anything else is read. (2) Normalising: lower case, one
kind of dash, number words to digits (spoken input comes through Whisper), and every time
expression replaced by a placeholder (:mod:`agent.planners.timeparse`). (3) Clauses: the
sentence is split at commas, "and", "then" ..., and each clause is read on its own as an
operation (remove / isolate / louder / quieter / fade / trim / normalize / export / undo /
reset; the words for each live in :mod:`agent.planners.vocabulary`), a bare noun phrase ("the bird at 0:12-0:14"), a complaint ("the hum is so
annoying"), or a bare time ("only between 0:30 and 0:45"). (4) Combining: bare noun phrases
take the verb of a neighbouring clause ("remove the dog and the traffic"; "the bird at
0:12-0:14, find it everywhere"), pronouns point back, times are resolved against the input's
duration, and the result is validated as a :class:`~tools.recipe.Recipe`.

Conventions (the benchmark in ``benchmarks/bench_planner.py`` holds the planner to them):

- Louder/quieter with no amount: 6 dB. "a bit", "a little", "slightly": 3 dB. "a lot",
  "much", "way": 10 dB. "half the volume": -6 dB; "double": +6 dB. "too loud" / "too quiet"
  / "I can't hear X": ∓6 dB (3 or 10 with "a bit too" / "way too").
- The target is the user's noun phrase without articles, politeness, evaluative adjectives
  ("that annoying hum" -> "hum"), "sound" ("buzzing sound" -> "buzzing") or places ("in the
  background"). "it", "everything", "the volume", "the track" ... mean the whole mix, so a
  level change on them is a whole-mix ``gain`` step.
- Times after "at" are span prompts (where the target is clearly audible; on a level change
  they say where to change it). Times after "between", "from", "in", "during", "only", "the
  first/last N seconds", "after", "before" restrict the edit (``range``); so does "only".
  "at 1:00" alone is the second around it.
- Remove-verbs whose object is only a time ("cut the first 5 seconds", "remove everything
  after 2:00") are ``trim``; "trim to A-B", "trim from A to B" and "keep only A to B" keep that
  part. Cutting a stretch out of the middle is refused (trim keeps one contiguous part).
  "mute"/"silence" + a time only lowers the whole mix by 60 dB there.
- Fades default to 3 s; normalize to -14 LUFS (podcasts and Apple -16, broadcast -23);
  export to wav unless a format, a file name, or a preferred ``export_format`` says otherwise.
- "gently remove X", or the preference ``removal: gentle``, lowers X by ``gentle_db``
  (default -12 dB) instead of removing it.
- "everywhere except 0:10-0:20" becomes the ranges around it; "the first and last 2 s" two.
- With a video input (``PlanContext.input_is_video``), "the guitarist on the left/right/in
  the middle" adds a box prompt over that half (or middle half) of the frame; the mask has no
  ``video`` because the runner uses the input video. Without a video the position is dropped.
- "do the same for the guitar" and "again" reuse ``PlanContext.last_recipe``. A standing
  preference with no edit ("always export mp3") returns no steps and a ``reply``; the agent
  stores what :func:`extract_preferences` finds and passes it back as preferences.
- Typing slips that make no word ("remvoe teh hum") are respelt before reading, and a clause
  with no verb has its opening word respelt to the nearest verb ("lover the music"):
  :mod:`agent.planners.spelling`.
- Round 4 (issue 14): a non-native word order is read as the plain one ("make more loud the
  voice", "how I can cut ...", "I want that you remove ..."); "X stands out / is clearest at T"
  gives spans like "audible"; "that sound at T, remove it" is a prompt with no target; a stretch
  said to be empty or the good part, then "cut them" / "keep it", is a trim; an amount alone
  ("like 4 dB") or a length alone ("2 seconds each") sets the change or the fades before it;
  after "that's too much", "it" is the sound of the last edit; a short noun phrase with a time
  that no verb takes is refused, never dropped.
- Refused (no steps, an ``error`` saying why): shell commands, paths outside the output
  folder, more than ±60 dB, reversed ranges, times past the end, times that need an unknown
  duration, unsupported formats, and anything that is not an audio edit.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

from samaudio_core.errors import SamaudioError
from tools.recipe import EXPORT_FORMATS, MAX_DB, Recipe, RecipeError, parse_recipe

from ..preferences import parse_preference
from ..recipes import save_request
from .clauses import split_run_on
from .contract import PlanContext
from .shapes import plain_command
from .spelling import fix_opening_verb, fix_typos
from .timeparse import TimeRef, find_duration, find_times, words_to_numbers
from .vocabulary import (
    ACAPPELLA,
    AGAIN,
    AGAIN_COMPLAINT,
    ALL_OF_THEM,
    ALONE,
    ALSO_FOR,
    AMOUNT_FEEDBACK,
    ANNOYED,
    AUDIBLE,
    BARE_TIME_SUBJECT,
    BIT_MUCH,
    BOXES,
    BY_NUMBER,
    CANT_HEAR,
    CLEARER,
    COMPARE,
    COMPLAINT,
    CONTAINERS,
    COPULA,
    DEFAULT_DB,
    DENOISE,
    DONT_WANT,
    DOUBLE,
    EACH_TAIL,
    EMPTY,
    EMPTY_PART,
    EXCEPT,
    EXCEPT_TIME,
    EXCEPT_WORD,
    EXPORT_VERB,
    FADE,
    FADE_START,
    FEEDBACK,
    FINE,
    FORMAT,
    FORMAT_WORDS,
    FREQUENCY,
    FULL,
    GENERIC_SOUND,
    GENTLE,
    GERUND,
    GERUNDS,
    GOOD_PART,
    HALF,
    HAS_TOO,
    HEARING,
    HEDGE,
    INJECTION,
    JUSTIFY,
    KARAOKE,
    LARGE,
    LARGE_DB,
    LEAD_CLAUSE,
    LENGTH_ONLY,
    LEVEL_ADJ,
    MISHEARD,
    MORE_LESS,
    NARRATIVE,
    NOISE_PRINT,
    NOMINAL,
    NONAUDIO,
    NONTARGET,
    NORMALIZE,
    NOT_SUPPORTED,
    ONLY_THERE,
    PART_IS,
    PART_OBJECT,
    PARTICIPLES,
    PASSIVE,
    PERCENT,
    PERSIST,
    PLATFORM_LUFS,
    POLITE,
    POSITION,
    PREAMBLE,
    PRESENCE,
    PRONOUNS,
    REFERENCE,
    RESET,
    REST,
    RUINED_BY,
    RUINS,
    SAME_FOR,
    SELECT_PART,
    SMALL,
    SMALL_DB,
    SO_MUCH,
    SOCIAL,
    SOUND_VERB,
    SOURCE,
    SPANS_HINT,
    STANDS_OUT,
    STILL_THERE,
    THAT_IS,
    THAT_SOUND,
    TIME_IS,
    TIME_IS_ALONE,
    TIME_ONLY_OBJECT,
    TOO,
    TOO_MUCH,
    TOOL_MENTION,
    TOOL_SUBJECT,
    UNDO,
    UNDO_LAST,
    UNSUPPORTED,
    UNWANTED_PART,
    VERB,
    WEAK_ISOLATE,
    WHERE_ONLY,
    WITHOUT,
    amount,
    clean_target,
    is_whole,
    signed_db,
    strip_amounts,
)
from .wrapping import unwrap

GENTLE_DB = -12.0  # "gently remove": lower the target instead of removing it
MUTE_DB = -60.0  # "mute the first 2 seconds": the largest cut a gain step allows
DEFAULT_FADE = 3.0
DEFAULT_LUFS = -14.0

HELP = "I can remove or isolate a sound, make it louder or quieter, fade, trim, normalize, export, undo and reset"


class Refusal(SamaudioError):
    """The instruction cannot or must not be carried out; the message says why."""


# --- safety ------------------------------------------------------------------------------

_SHELL = re.compile(
    r"`|\$\(|\$\{|&&|\|\||\|\s*\w|;\s*(?:rm|ls|cat|sudo|curl|wget|sh|bash|python)\b|"
    r"\brm\s+-|\brm\s+/|\bsudo\b|\bchmod\b|\bchown\b|\bcurl\b|\bwget\b|\bbash\b|\bzsh\b|\bshell\b|"
    r"\bterminal\b|\bexec(?:ute)?\b|\beval\b|\bmkfs\b|\bdd\s+if=|\bshutdown\b|\breboot\b|"
    r"\bkill\s+-\d|\bpython\s+-c\b|\brun\s+(?:the\s+|this\s+|a\s+)?(?:command|script|program|ls|cat|rm)\b|"
    r"\bcommand\s+line\b|>\s*/",
    re.IGNORECASE,
)
_PATHLIKE = re.compile(
    r"(?:^|[\s\"'(=])((?:~|\.\.|/|\\|[a-z]:[\\/])\S*|\S*[\\/]\.\.\S*|\S+/\S+)", re.IGNORECASE
)
_FILE = re.compile(
    r"(?<![\w/\\.-])([\w][\w./-]*\.(mp3|wav|wave|flac|ogg|oga|m4a|aac|aiff?|opus|wma|mp4|webm|alac))\b", re.I
)


#: verbs whose own particle a closing "out" is ("drowns everything out", "blocks the voice out")
_OUT_AFTER_VERB = re.compile(
    r"\b(?:drown|block|cancel|shut|stand|stick|freak|figure|sort|look|check|find|spit|blot|zone|leave|keep|"
    r"single|stretch|carry|rule|bleed)(?:s|es|ed|ing)?\b"
)
#: "they're the ones at A-B", "that's the one at T": where the sound just named is heard
_THE_ONES = re.compile(
    r"^(?:they|it|that|this|those|these) (?:is|are|'re) (?:the ones?|them|it)(?: (?:that is |that are )?(?:playing|heard|sounding|"
    r"you hear|i mean|going|\w+ing))?(?: (?:at|from|between|in|around))? §\d+$"
)
#: a verb that makes its object something ("make the drums too loud" asks, it does not complain)
_CAUSATIVE = re.compile(r"(?:make|turn|get|let|set|have|keep|leave|put|bring|render)\b")
#: "name it live_take", "and call it demo.wav": a clause that only names the exported file
_NAME_IT = re.compile(
    r"^(?:and |then |and then )?(?:name|call|title) (?:it|the file|the export|the result|the (?:mp3|wav|flac|ogg)(?: file)?)"
    r"\s+(?!(?:quits|a day|a night|done|good|fine|even)\b)\S"  # ("call it quits" names nothing)
)
#: "export the mp3 as ep_07_final": a name after "as", told from a format by its "_", "-" or digits
_AS_NAME = re.compile(r"\bas\s+[\"']?((?=[a-z0-9]*[_-]|[a-z]+\d)[a-z0-9][\w-]*)\b(?!\.)")

# A path or a shell command as a recogniser writes it when spoken: "export to slash etc slash
# password", "save it as dot dot slash x", "rm rm slash": refused like the typed ones.
_SPOKEN_PATH = re.compile(r"\b(?:back ?)?slash(?:es)?\b|\bdot dot\b|\btilde\b", re.IGNORECASE)
_SPOKEN_SHELL = re.compile(r"^\W*(?:rm|sudo|chmod|ls)\b|\brm rm\b|\brm (?:dash|minus)\b", re.IGNORECASE)


def check_safety(text: str) -> None:
    """Refuse shell commands and any path that is absolute, starts at home, or climbs up."""
    if _SHELL.search(text) or _SPOKEN_SHELL.search(text):
        raise Refusal("I can't run commands or programs; I only edit audio. " + HELP + ".")
    if _SPOKEN_PATH.search(text):
        raise Refusal("say a plain file name such as 'clean.mp3'; I never write outside the output folder")
    for m in _PATHLIKE.finditer(text):
        path = m.group(1).lstrip("\"'(").rstrip("\"'.,;:!?)")
        if not path or re.fullmatch(r"[\d:.\-/]+", path):  # "0:12/0:14", "1/2": not paths
            continue
        parts = re.split(r"[\\/]", path)
        if path.startswith(("/", "\\", "~")) or re.match(r"[a-z]:", path, re.I) or ".." in parts:
            raise Refusal(
                f"'{path}' is outside the output folder; give a plain file name such as 'clean.mp3'"
            )


# --- normalising and splitting -------------------------------------------------------------

_COMPOUNDS = (
    "drum and bass",
    "rock and roll",
    "r and b",
    "rhythm and blues",
    "salt and pepper",
    "bread and butter",
)


#: "my biggest problem is the hum": what follows is the complaint; before a clause of its own
#: ("the problem is the hum is too loud") it says nothing
_PROBLEM = r"\b(?:(?:the|my|our|one|a) )?(?:(?:main|only|real|big|biggest|other) )?(?:problem|issue|trouble)(?: here)? is(?: that)?"
_PROBLEM_BEFORE_CLAUSE = re.compile(rf"{_PROBLEM}\s+(?=[^,;.]*\b(?:is|are|was|were|keeps?|sounds?)\b)")
_PROBLEM_IS = re.compile(rf"{_PROBLEM} ")

_COMPARATIVE = {
    ("more", "loud"): "louder", ("more", "quiet"): "quieter", ("more", "soft"): "softer",
    ("less", "loud"): "quieter", ("less", "quiet"): "louder", ("less", "soft"): "louder",
    ("more", "strong"): "stronger", ("more", "weak"): "weaker", ("less", "strong"): "weaker",
    ("more", "low"): "lower", ("more", "high"): "higher", ("less", "high"): "lower",
}  # fmt: skip


def _reword(t: str) -> str:
    """Shapes the clause readers do not know, rewritten as ones they do (issue 14 round 4): a
    non-native word order, "the problem is X", the undo key, "zero X", "all over", the passive.
    Each rule runs only when its words are there (planning 100 instructions must stay fast)."""
    if "more " in t or "less " in t:
        # a non-native comparative: "make more loud the voice", "less quiet" ("more high end",
        # "more low frequencies" ask for a band, not a level)
        t = re.sub(
            r"\b(more|less) (loud|quiet|soft|strong|weak|low|high)\b(?!(?: |-)?(?:end|ends|frequenc\w*|freqs?|mids?|"
            r"pass|notes?|register|shelf|cut|s\b))",
            lambda m: _COMPARATIVE.get((m.group(1), m.group(2)), m.group(0)),
            t,
        )
    if "if " in t:  # "(it would be great) if the hum disappeared": a wish for it gone
        t = re.sub(
            r"\bif (?!(?:you|we|i)\b)((?:the|my|that|this|those|these|our|all the) .+?) (?:disappeared|went away|vanished|"
            r"was gone|were gone|would (?:disappear|go away|vanish)|could (?:disappear|go away|vanish))\b",
            r"remove \1",
            t,
        )
    if "nothing else" in t or "nothing more" in t:  # "I want the cello and nothing else": only the cello
        t = re.sub(r"\b(keep|want|need|give me|leave)\s+((?:the|my|our|a|an|this|that|\d)[^,;.!?]*?) and nothing (?:else|more)\b", r"\1 only \2", t)
        t = re.sub(r"(?:^|(?<=[,;.!?] ))((?:the|my|our) [^,;.!?]+?) and nothing (?:else|more)\b", r"only \1", t)
    if " they " in t or " it " in t:  # a non-native subject said twice: "the cows they are too loud"
        # (a noun phrase of a few words, no comma: "the fan won't stop, it's ..." is two clauses)
        t = re.sub(r"^((?:the|my|our|this|that|these|those)(?: [\w-]+){1,3}) (?:they|it) (is|are|was|were|makes?|keeps?)\b", r"\1 \2", t)
    if "you " in t:
        t = _reword_you(t)
    if "make" in t:  # "the geese make too much noise": a complaint, as "are making too much noise"
        t = re.sub(r"(?<=\w) makes? (?=(?:too|so|such|way too|a lot of|lots of)(?: \w+){0,2} (?:noise|racket|din|ruckus|commotion)\b)",
                   " is making ", t)
    if "less" in t or "more" in t:  # "(the cows are too loud,) please make less": less of the sound just named
        t = re.sub(r"\bmake (?:it |them )?(less|more)(?=\s*(?:$|[,;.!?]|please\b))",
                   lambda m: "make it " + ("quieter" if m.group(1) == "less" else "louder"), t)
    if "ing " in t:  # a non-native progressive: "I am wanting the voice louder"
        t = re.sub(r"\b(i|we) (?:am|are|'m|'re) (want|need|wish|lik)(?:e)?ing\b", lambda m: f"{m.group(1)} {m.group(2)}{'e' if m.group(2) == 'lik' else ''}", t)
    if "fade" in t:  # "a soft fade-in": how it sounds, not a level change
        t = re.sub(r"\b(?:soft|gentle|smooth|subtle|nice)\s+(?=fade\b)", "", t)
    if "(" in t:  # "quieter tractor (like 6 dB)": a hedge inside brackets
        t = re.sub(r"\(\s*(?:like|about|around|say|maybe|roughly|approx\.?|approximately)\s+", "(", t)
    if "so " in t:  # "make it so the voice is louder": the wish is the clause after it
        t = re.sub(r"\bmake it so (?:that )?(?=\w)", "", t)
    if "once " in t or "when " in t:  # "once we pass 1:15, lose the yawning": from then on
        t = re.sub(r"\b(?:once|when|after) (?:we|you|it|i|the (?:clip|track|recording|audio|video)) (?:pass(?:es)?|hits?|reach(?:es)?|gets? (?:past|to))"
                   r" (?=(?:the )?\d)", "after ", t)
    if "silent" in t:  # "make it silent from 1:12 to 1:15": mute that stretch of the whole mix
        t = re.sub(r"\bmake (?:it|this|everything|the (?:audio|track|clip|recording|file|mix)) (?:completely |totally |fully |dead )?silent"
                   r"(?= (?:from|between|at|during|for) \d)", "mute everything", t)
    if "since " in t:
        t = re.sub(r"\bsince (?=(?:the )?(?:second |minute )?\d)", "from ", t)  # a non-native "since 0:10 until 0:20"
    if "thing is" in t or "point is" in t:
        # "the thing is the hum is too loud": what follows is the request
        t = re.sub(
            r"(?:^|(?<=[,;:] )|(?<=\bso )|(?<=\bwell )|(?<=\bok )|(?<=\bokay )|(?<=\balright )|(?<=\bbut ))"
            r"the (?:thing|point) is(?: that)?\s+(?=(?:the|a|an|my|our|this|that|there|it|i|we)\b)",
            "",
            t,
        )
    if "problem" in t or "issue" in t or "trouble" in t:  # "the problem is the hum" says there is one
        t = _PROBLEM_BEFORE_CLAUSE.sub("", t)
        t = _PROBLEM_IS.sub("there is ", t)
    if "ctrl" in t or "cmd" in t or "control" in t or "command" in t:
        t = re.sub(r"\b(?:ctrl|cmd|control|command) ?[+-]? ?z\b", "undo", t)  # "ctrl+z": the editor's undo key
    if "zero " in t or "no " in t:
        # "zero snoring", "I want no wind": none of it ("zero point five" is a number)
        t = re.sub(r"\b(?:(?:i|we) )?(?:want|need|would like|'d like) (?=(?:no|zero) [a-z]{3,})", "", t)
        t = re.sub(
            r"\bzero (?!(?:point|zero|oh|db|decibels?|seconds?|secs?|minutes?|mins?|lufs|percent)\b)(?=[a-z]{3,})", "no ", t
        )
    if "through" in t:  # "remove it all through the file", "the clicks happen all through": everywhere
        t = re.sub(
            rf"\ball (?:the way )?through(?: (?:the|this|my|our) (?:whole |entire )?(?:thing|tracks?|mix|{CONTAINERS}))?(?=\s*(?:$|[,;.!?]))",
            "everywhere",
            t,
        )
    if "happen" in t or "occur" in t or "recur" in t:  # "the clicks happen everywhere": they appear there
        t = re.sub(r"\b(?:happens?|happened|occurs?|occurred|recurs?|repeats?)(?= (?:everywhere|all over|throughout)\b)", "appears", t)
    if "every time" in t or "each time" in t:  # "..., every time it comes back": wherever it is heard
        t = re.sub(r"(?<=, )(?:every|each) time (?:it|they|that|this) (?:comes? back|returns?|happens?|appears?|shows? up|occurs?)$",
                   "everywhere", t)
    if "using" in t:  # "isolate it using that": the stretch just given is the reference, already read
        t = re.sub(r"(?:(?<=\bit)|(?<=\bthem))\s+using (?:that|this|those)(?: (?:bit|part|stretch|section|one|reference|sample|clip))?(?=\s*(?:$|[,;.!?]))", "", t)
    if "all over" in t:  # "the hiss is all over this clip": everywhere in it
        t = re.sub(
            rf"\ball over(?: (?:the|this|my|our) (?:\w+ )?(?:place|thing|track|{CONTAINERS}))?\b",
            "everywhere",
            t,
        )
    if " left" in t:  # "i only want the oboe left (in the track)": the oboe is what is kept
        t = re.sub(r"\b((?:only|just) (?:want|need)|(?:want|need) (?:only|just)) ((?:the|my|our) [^,;.!?]+?) left\b", r"\1 \2", t)
    if "only " in t and (" left" in t or "remain" in t):  # "(make it so) only the harp is left": the harp is kept
        t = re.sub(r"\bonly ((?:the|my|our|his|her|their) [^,;.!?]+?) (?:is|are) (?:left|remaining|kept)\b", r"keep only \1", t)
    if "isolated " in t:  # "I'd like an isolated track of the oud": the oud on its own
        t = re.sub(r"\b(?:(?:can|could|may) (?:i|we) (?:get|have) |(?P<w>(?:like|want|need|love) ))?(?:an? |the )?isolated "
                   r"(?:track|version|stem|copy|recording|file|take|part|channel) (?:of|for|with) ",
                   lambda m: (m.group("w") + "to " if m.group("w") else "") + "isolate ", t)
    if "everything " in t:  # "strip away everything that isn't the oud": all but it, said as a negation
        t = re.sub(r"\beverything (?:that |which )?(?:isn'?t|is not|aren'?t|are not) (?=(?:the|my|our|his|her|their)\b)", "everything except ", t)
    if "its " in t:  # chat drops the apostrophe: "its driving me nuts", "its so loud"
        t = re.sub(r"\bits (?=(?:driving|killing|ruining|so|too|really|way|getting|making|annoying)\b)", "it is ", t)
    if " it is " in t:  # "no more X it is driving me nuts": the complaint after the request, a clause of its own
        t = re.sub(r"(?<=[a-z]) (?=it is (?:driving|killing|ruining|so annoying)\b)", ", ", t)
    if " and " in t:  # "the mixer runs all through and buries my narration": what it does to the voice, said of
        # the same subject (the clause before it names the sound; "and" would split it off with no subject)
        t = re.sub(r"(?<=\w) and (?:buries|drowns(?: out)?|covers(?: up)?|masks|swamps|overpowers|overwhelms) "
                   r"(?:my|our|his|her|their|the) [\w-]+(?: [\w-]+)?(?= *(?:$|[,;.!?]))", "", t)
    if "driving" in t or "drives" in t:  # "is driving me up the wall": an idiom of annoyance ("up" is no boost)
        t = re.sub(r"\b(driv(?:ing|es)) (?:me|us) (?:up the wall|round the bend|around the bend|up a tree)", r"\1 me crazy", t)
    if " out" in t or "away" in t:  # "can the fire alarm beeps come out?": a wish for it gone
        t = re.sub(
            r"(?:^|(?<=[,;.!?:] ))(?:can|could|would|will) ((?:the|my|this|these|those|our|that) .+?) "
            r"(?:come out(?P<of> of)?|go away|disappear|vanish)\b",
            lambda m: f"remove {m.group(1)}" + (" from" if m.group("of") else ""),
            t,
        )
    if "keep" in t and " up" in t:  # "it keeps popping up": it keeps appearing (a description)
        t = re.sub(r"\b(keeps?|kept) (?:popping|showing|cropping) up\b", r"\1 appearing", t)
    if " out" in t:  # "that clavinet pokes out": it stands out of the mix, too loud (no removal)
        t = re.sub(r"\b(?:pokes|sticks|juts|jumps|poke|stick|jut|jump|poking|sticking|jutting|jumping) out\b(?! of\b)(?!,? (?:at |from |between |around |during |in )?(?:the )?\d)", "is too loud", t)
        # ("the snare sticks out at 0:30" says where it is heard, as "stands out")
        t = re.sub(r"\b(are|is) is too loud\b", r"\1 too loud", t)
    if " up" in t:  # a sound that keeps appearing, not a verb: "the squeak shows up all over" ("up" alone raises)
        t = re.sub(r"\b(?:shows?|showed|showing|pops?|popped|popping|crops?|cropped|cropping) up\b", "appears", t)
    if _PASSIVE_HINT.search(t):
        # "can the vinyl crackle be cleaned out?" asks to clean it out; "the hum needs to be filtered
        # out" is "the hum needs to filter out" (the modal is a filler; the verb is read)
        t = re.sub(
            rf"(?:^|(?<=[,;.!?:] ))(?:could|can|would|should|will|may) (the|my|this|these|those|our) (.+?) {PASSIVE.source[2:]}"
            r"(?P<particle> (?:out|up|down|away|off|back))?",
            lambda m: f"{PARTICIPLES[m.group(3)]}{m.group('particle') or ''} {m.group(1)} {m.group(2)}",
            t,
        )
        # (a participle the verb table reads itself, "should be removed", is left as said: a time before
        # it must not become a clause of its own, "the siren from 0:40 to 0:50 | remove")
        # "could it be turned down", "can they be removed?": the same, said of the sound just named
        t = re.sub(
            rf"(?:^|(?<=[,;.!?:] ))(?:could|can|would|should|will|may) (it|they|this|that) {PASSIVE.source[2:]}"
            r"(?P<particle> (?:out|up|down|away|off|back))?",
            lambda m: f"{PARTICIPLES[m.group(2)]}{m.group('particle') or ''} {'them' if m.group(1) == 'they' else m.group(1)}",
            t,
        )
        # "could everything be made louder?": the whole mix, asked in the passive
        t = re.sub(
            rf"(?:^|(?<=[,;.!?:] ))(?:could|can|would|should|will|may) (everything|it all|the whole thing) {PASSIVE.source[2:]}"
            r"(?P<particle> (?:out|up|down|away|off|back))?",
            lambda m: f"{PARTICIPLES[m.group(2)]}{m.group('particle') or ''} everything",
            t,
        )
        t = PASSIVE.sub(lambda m: m.group(0) if VERB.fullmatch(m.group(1)) else PARTICIPLES[m.group(1)], t)
    return t


_FORMATS = "|".join(sorted(FORMAT_WORDS, key=len, reverse=True))
_PLATFORMS = r"(?:a |an |the )?(?:podcasts?|youtube|spotify|streaming|broadcast|radio|tiktok|apple music|soundcloud|instagram)\b"
#: a sound taken out over a stretch: "take the hum out from 0:30 to 0:40" ("out from" is no particle)
_TAKE_X_OUT = re.compile(
    r"\btake ((?:the|my|our|this|that|those|these) [^,;.!?]+?) out (?=(?:from|between|at|during|after|before|until|till) (?:the )?\d)"
)
_ONLY_BE = re.compile(r"\b(should|must|can|could|will|would|needs? to|has to) only (?=be )")  # "should only be removed from 0:30"
#: the part faded, named: "fade the ending out", "fade the intro in"
_FADE_PART = re.compile(r"\bfade the (?:(?P<o>ending|end|outro|tail|close)|(?P<i>beginning|start|intro|opening)) (?(o)out|in)\b")
_LENGTH_OF_FADE = re.compile(r"\b(\d+(?:\.\d+)?) ?(seconds?|secs?|s) of (?:a )?fade (in|out)\b")  # "8 seconds of fade-out"
_SHORTEN = re.compile(r"\bshorten (it|this|the \w+) (?:down )?to (?:just |only )?(?=the (?:first|last|opening|final)\b|\d)")
_READY_FOR = re.compile(
    rf"\bmake (?:it|this|the (?:audio|mix|track|file|recording|episode)) (?:right|ready|good|suitable|fit|perfect|optimi[sz]ed) for (?={_PLATFORMS})"
)
#: the export named: "name the flac file sunday_mix", "name the export intro_v2"
_NAME_THE = re.compile(rf"\bname the (?:(?P<f>{_FORMATS}) )?(?:export|file|output|result|render|mix)(?: as| to)? (?P<n>[a-z0-9][\w-]*)\b(?!\.\w)")
_FILE_LIKE = re.compile(rf"\b(?:(?:i|we) (?:need|want)|give me) the (?:file|audio|track|recording) (?:like|as|in) (?=(?:an? )?(?:{_FORMATS})\b)")

_LENGTH = r"\d+(?:\.\d+)? ?(?:seconds?|secs?|s|minutes?|mins?)"
_SHOULD_BE_SILENT = re.compile(
    rf"\b(the (?:first|last) {_LENGTH}) (?:should|must|needs? to|has to|ought to) be (?:pure |total |complete |dead |absolute |just )?"
    r"(?:silence|silent)\b"
)
_WHOLE_IT = r"(?:it|this|everything|the (?:audio|mix|track|song|music|recording|clip|file|sound))"
_FROM_SILENCE = re.compile(rf"\b(?:bring|ease|raise) {_WHOLE_IT} (?:in|up) from (?:silence|nothing|zero)\b")
_TO_SILENCE_FADE = re.compile(rf"\b(?:take|bring|ease|let) {_WHOLE_IT} (?:down|out|away) (?:in)?to (?:silence|nothing|zero)\b")
_LENGTH_FIRST = re.compile(rf"(?:^|(?<=[,;.!?] ))(?:over|across) ({_LENGTH}),? (fade (?:in|out))\b(?! over\b)")
_EMPTY_EDGE = re.compile(
    rf"\bthere(?: are| is|'s) (?:like |about )?(?P<n>{_LENGTH}) of {EMPTY} at the (?:very )?(?P<e>end|start|beginning)"
    r"(?:,? (?:so |just |please )*(?:shave|cut|trim|chop|lop|snip) (?:them|it|that|those) off)?"
)
_NOBODY_TALKS = re.compile(rf"\b(?:nobody|no (?:one|1)) (?:says|talks|speaks) (?:anything )?(?:for|in|during) the ((?:first|last) {_LENGTH})")
_GOES_UP = re.compile(
    r"(?:^|(?<=[,;.!?] )|(?<=\bwhile )|(?<=\bwhilst )|(?<=\band ))((?:the|my|our|his|her|their)(?: (?!(?:it|they|while|whilst|and|at|from|to|everywhere)\b)[\w'-]+){1,4}?) "
    r"(?:goes|go|comes|come|(?:should|must|needs? to|has to|can|could) (?:go|come)) (up|down)\b"
)
_ANYMORE = re.compile(r"\s+(?:anymore|any more|any longer)(?=\s*(?:$|[,;.!?]))")


def _reword_requests(t: str) -> str:
    """Requests said in a shape the readers do not know, rewritten as ones they do; each rule runs
    only when its words are there."""
    if "take " in t and " out " in t:
        t = _TAKE_X_OUT.sub(r"take out \1 ", t)
    if " only be " in t:
        t = _ONLY_BE.sub(r"\1 ", t)
    if "fade" in t:
        t = _FADE_PART.sub(lambda m: "fade out" if m.group("o") else "fade in", t)
        t = _LENGTH_OF_FADE.sub(r"fade \3 \1 \2", t)
    if "shorten" in t:
        t = _SHORTEN.sub(r"trim \1 to ", t)
    if "silen" in t:  # "the first two seconds should be pure silence": that stretch muted
        t = _SHOULD_BE_SILENT.sub(r"mute everything for \1", t)
    if "silen" in t or "nothing" in t or "zero" in t:
        # "bring the audio in from silence", "take it down to silence at the end": a fade
        t = _FROM_SILENCE.sub("fade in", t)
        t = _TO_SILENCE_FADE.sub("fade out", t)
    if "fade" in t and ("over " in t or "across " in t):  # "over 2.5 s, fade in": the length said first
        t = _LENGTH_FIRST.sub(r"\2 over \1", t)
    if "there" in t or "nobody" in t or "no " in t:  # "there are 4 seconds of junk at the end": an empty edge
        t = _EMPTY_EDGE.sub(lambda m: f"cut the {'last' if m.group('e') == 'end' else 'first'} {m.group('n')}", t)
        t = _NOBODY_TALKS.sub(r"the \1 are empty", t)
    if "any" in t:  # "I don't want the chime anymore": no part of the sound
        t = _ANYMORE.sub("", t)
    if "go" in t or "come" in t:  # "the radio goes up 2 dB", "the hiss should come down": a level change
        t = _GOES_UP.sub(r"turn \2 \1", t)
    if "make" in t and " for " in t:  # "make it right for a podcast": the loudness that platform wants
        t = _READY_FOR.sub("normalize it for ", t)
    if "name the" in t:
        t = _NAME_THE.sub(lambda m: f"export as {m.group('n')}" + (f".{m.group('f')}" if m.group("f") else ""), t)
    if " like " in t or " as " in t or " in " in t:  # a non-native "I need the file like ogg"
        t = _FILE_LIKE.sub("export as ", t)
    return t


#: where the kept file begins or ends, said of the file or as what is not wanted: "my clip should begin
#: at 0:05", "nothing after 1:50", "cut away everything before 0:15"
_SHOULD_EDGE = re.compile(
    rf"\b(?:the |my |this )?(?:file|it|{CONTAINERS}) (?:should|must|needs to|has to|ought to) "
    r"(?P<w>start|begin|end|stop|finish) (?:at|from) (?=\d)"
)
_NOTHING_PAST = re.compile(r"(?:^|(?<=[,;.!?] ))(?:(?:i|we) (?:want|need) )?nothing (?P<w>after|before|past) (?=\d)")
_CUT_AWAY = re.compile(r"\b(cut|chop|trim|shave|slice) away (?=everything|all\b|the (?:first|last|final|opening)\b)")
#: the same edge said again after it: "cut everything after 1:50 and chop the rest", "..., drop what comes before"
_EDGE_AGAIN = re.compile(
    r"(cut everything (?:before|after) [\d:.]+(?: ?(?:s|secs?|seconds?))?),? (?:and )?(?:then )?"
    r"(?:drop|cut|remove|delete|chop|lose|trim|ditch|bin|get rid of) (?:off )?"
    r"(?:(?:what|whatever|everything|anything|all) (?:that )?(?:comes |is |goes )?(?:before|after)(?: (?:it|that|this|then))?|the rest)\b"
)


def _reword_edges(t: str) -> str:
    """The trim edges said as what the file should do or what is not wanted, as "cut everything before"."""
    t = _SHOULD_EDGE.sub(lambda m: "cut everything " + ("before " if m.group("w") in ("start", "begin") else "after "), t)
    t = _NOTHING_PAST.sub(lambda m: "cut everything " + ("before " if m.group("w") == "before" else "after "), t)
    t = _CUT_AWAY.sub(r"\1 ", t)
    return _EDGE_AGAIN.sub(r"\1", t)


#: the edit verbs a non-native request puts right after "you" ("please you take away the fan")
_YOU_VERBS = r"(?:remove|take|make|cut|delete|lower|boost|raise|isolate|keep|turn|get|put|bring|export|save|fade|trim|mute|erase|eliminate)"
#: the object said first, then "you" and the verb: "the bell you make louder" (a non-native word order)
_OBJECT_YOU_VERB = re.compile(
    rf"^((?:the|my|our|this|that|these|those) [^,;.!?]+?)(?<!\bcan)(?<!\bcould)(?<!\bwould)(?<!\bwill)(?<!\bdo)(?<! -),? "
    rf"(?:please )?(?:you|u) ({_YOU_VERBS}) (?:it |them )?"
    r"(?=(?:louder|quieter|softer|lower|higher|up|down|out|away)\b)"
)
_YOU_VERB = re.compile(
    rf"(?:^|(?<=[,;.!?] )|(?<=\bplease ))(?:(?:it )?is (?:it )?possible (?:that )?)?(?:you|u) (?={_YOU_VERBS}\b)"
)


def _reword_you(t: str) -> str:
    """A non-native request that names who does it: "please you take away the fan", "is possible you
    remove the squeak?", "the bell you make louder" are the plain commands ("can you" is read elsewhere)."""
    t = _OBJECT_YOU_VERB.sub(r"\2 \1 ", t)
    return _YOU_VERB.sub("", t)


_PASSIVE_HINT = re.compile(r"\b(?:be|get|got|gets|been|being)\b")
#: cheap words before the round-4 patterns that few clauses need (see :mod:`agent.planners.lazyre`)
_ALONE_WORDS = ("alone", "itself", "themselves", "himself", "herself", " own", "isolation")
_FEEDBACK_WORDS = ("too ", "overdone", "overkill", "over the top", "overboard", "not enough", "still ", "was ")


def _normalise(text: str) -> str:
    t = text.lower().strip()
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = re.sub(r"[\u2010-\u2015\u2212]", "-", t)  # all dashes and the minus sign
    t = re.sub(r"\bdecibels?\b|\bdbs\b|\bd\.b\.", "db", t)
    # "3db", "3 d b"; Whisper also writes a spoken "dB" as "3D B", "3-B-B", "2vb", "4b"
    t = re.sub(r"(\d)\s*-?\s*(?:[dvb]\s*-?\s*)?b\b", r"\1 db", t)
    t = re.sub(r"\bback round\b", "background", t)
    t = re.sub(r"\b(?:outta|outa)\b", "out of", t)  # chat: "get that helicopter outta here"
    # Whisper writes spoken clock times as "0.30" or "012": after a time word they are m:ss.
    t = re.sub(
        r"(\b(?:at|between|and|from|to|after|before|until|till|since)\s+|-\s*)(\d{1,2})\.([0-5]\d)\b(?!\.\d)"
        r"(?!\s*(?:s|secs?|seconds?|minutes?|mins?|db|lufs|%|percent)\b)",
        r"\1\2:\3",
        t,
    )
    t = re.sub(r"(?<![\w.:])0([0-5]\d)(?![\w:]|\.\d)", r"0:\1", t)
    t = re.sub(r"\b(it|that|this|what|whatever|who|where|here|he|she)'s\b", r"\1 is", t)
    t = re.sub(r"\b(they|you|we)'re\b", r"\1 are", t)
    t = re.sub(r"\b(that|what|there)s\b", r"\1 is", t)  # chat drops the apostrophe: "thats the fan"
    t = re.sub(r"\bacapella\b|\ba capella\b|\ba cappella\b", "acappella", t)
    t = re.sub(r"\bfade-(in|out)\b", r"fade \1", t)
    t = re.sub(r"\b(please|pls|plz|kindly) to (?=[a-z])", r"\1 ", t)  # a non-native "please to make quieter the fan"
    t = POLITE.sub(" ", t)
    t = TOOL_SUBJECT.sub("can you", t)  # "can audacity remove the hiss": the tool is who is asked
    t = TOOL_MENTION.sub(" ", t)  # "remove the hum in audacity", "using ffmpeg, ..."
    t = GERUND.sub(lambda m: GERUNDS[m.group(1)], t)  # "removing hum from a recording" (a forum title)
    t = _reword(t)
    # "could the bass be louder?" asks to make it louder
    t = re.sub(r"(?:^|(?<=[,;.!?:] ))(?:could|can|would|should|will) (the|my|this|these|those|our) (.+?) (?:be|get|sound|sit) ", r"make \1 \2 ", t)
    # "could everything be made 2 dB louder?": the same, of the whole mix
    t = re.sub(r"(?:^|(?<=[,;.!?:] ))(?:could|can|would|should|will) (?:everything|it all|the whole thing) (?:be (?:made )?|get |sound )",
               "make everything ", t)
    # "could the overall level come down 8 dB": a level change, asked as a question
    t = re.sub(
        r"(?:^|(?<=[,;.!?:] ))(?:could|can|would|should|will) ((?:the|my|this|these|those|our) .+?) (?:come|go) (up|down)\b",
        r"turn \2 \1",
        t,
    )
    # a non-native "of" for "by": "more loud of 4 dB"
    t = re.sub(r"\b(louder|quieter|softer|lower|higher|more|less|up|down) of (?=[+-]?\d+(?:\.\d+)? ?db\b)", r"\1 by ", t)
    # a topic said first, then pointed back to: "for the calliope I want it louder", "the cockatoo, you can
    # make it go out?"
    t = re.sub(
        r"^(?:for|as for|regarding|about) ((?:the|my|our|this|that|these|those) [\w' -]+?),? (?=(?:i|we|you|please|can|could|make)\b)",
        r"\1, ",
        t,
    )
    t = re.sub(r"(?<=, )(?:you|u) (?:can|could) (make (?:it|them) (?:go )?(?:out|away))\b", r"\1", t)
    t = re.sub(r"\bmake (it|them) go (?:out|away)(?: (?:from|of) (?:the|this|my) \w+)?", r"remove \1", t)
    # "give the vocals a (little) boost"
    t = re.sub(
        r"\bgive (.+?) an? (little |slight |small |tiny |bit of a |good |big )?(?:boost|bump|lift|push)\b",
        lambda m: f"boost {m.group(1)}" + (" a bit" if m.group(2) and m.group(2).strip() in ("little", "slight",
            "small", "tiny", "bit of a") else " a lot" if m.group(2) and m.group(2).strip() == "big" else ""),
        t,
    )
    t = FREQUENCY.sub(" ", t)  # "somewhere between 60 and 120 hz": the spectrum, not a time
    # how often, not when: "a squeak every few seconds"
    t = re.sub(r"\bevery (?:few|couple(?: of)?|\d+|other|so many|single|\w+) (?:seconds?|secs?|minutes?|mins?)\b", " ", t)
    # "after the song ends at 3:45" is after 3:45
    t = re.sub(
        r"\b(after|before) (?:the |my )?(?:song|track|music|speech|talking|interview|show|episode|intro|outro|it|he|she|"
        r"they|talk|video|clip) (?:ends|stops|finishes|is over|starts|begins|kicks in)(?: at)? ",
        r"\1 ",
        t,
    )
    t = words_to_numbers(t)
    # a non-native "the ten last seconds", and "the opening 45 seconds": the last/first stretch of that length
    t = re.sub(r"\bthe (\d+(?:\.\d+)?) (last|first|final) (?=(?:seconds?|secs?|s|minutes?|mins?)\b)", r"the \2 \1 ", t)
    t = re.sub(r"\b(?:the )?opening (?=\d+(?:\.\d+)? ?(?:seconds?|secs?|s|minutes?|mins?)\b)", "the first ", t)
    t = _reword_requests(t)
    # "give the handbells +5 dB", "give the flute 2 more dB": a level change by that much
    t = re.sub(
        r"\bgive (it|them|(?:the|my|our|this|that|these|those|his|her|their) [^,;.!?]+?) (?:an? )?(?:extra |another |additional )?"
        r"(?P<sign>[+-])?(?P<n>\d+(?:\.\d+)?) ?(?P<more>more |extra |less |fewer )?db(?P<more2> more| extra| less)?\b",
        lambda m: (
            f"{'lower' if m.group('sign') == '-' or 'less' in (m.group('more') or '') + (m.group('more2') or '') or 'fewer' in (m.group('more') or '') else 'boost'}"
            f" {m.group(1)} by {m.group('n')} db"
        ),
        t,
    )
    if "ms" in t or "milli" in t:  # "a 250 ms fade": milliseconds, as seconds
        t = re.sub(r"\b(\d+(?:\.\d+)?) ?(?:ms|msecs?|milliseconds?|millisecs?)\b", lambda m: f"{float(m.group(1)) / 1000:g} s", t)
    # "from half a minute in until 50 seconds": the "in" of a start counted into the clip, before its end;
    # "from 1:10 back to 0:40" is from 1:10 to 0:40 (a reversed range, refused as one)
    t = re.sub(
        r"(\d (?:seconds?|secs?|s|minutes?|mins?)) in(?:to (?:the|it|this) \w+)? (?=(?:until|till|to|through|thru)\b)", r"\1 ", t
    )
    t = re.sub(r"(\d) back (?=to \d)", r"\1 ", t)
    # "starting at 1:40 and ending at 1:50": one range
    t = re.sub(
        r"\b(?:starting|beginning|start) (?:at |from )?(?=\d)([^,;]{1,25}?) and (?:ending|finishing|stopping|end) (?:at )?(?=\d)",
        r"from \1 to ",
        t,
    )
    # "cut it off at 1:48": nothing after that point
    t = re.sub(
        r"\b(?:cut|chop|stop|end) (?:it |this |the (?:audio|recording|track|file|clip|song|video) )?off at (?=\d)",
        "cut everything after ",
        t,
    )
    # "start the file at 0:03", "make it end at 1:30": where the trimmed file begins or ends
    t = re.sub(
        r"\b(?:start|begin) (?:the |this |my )?(?:file|clip|track|audio|recording|song|video|it|export) (?:at|from) (?=\d)",
        "cut everything before ",
        t,
    )
    t = re.sub(
        r"\b(?:(?:make|have|let) (?:it|the (?:file|clip|track|audio|recording|song|video)) (?:end|stop|finish)|"
        r"(?:end|stop|finish) (?:it|the (?:file|clip|track|audio|recording|song|video))) at (?=\d)",
        "cut everything after ",
        t,
    )
    if "cut everything" in t or "nothing" in t or "should" in t or "must" in t or " to " in t or "away" in t:
        t = _reword_edges(t)
    # "the mix could use 7 more dB", "the voice needs 3 dB more": a level change by that much
    t = re.sub(
        r"\b(?:could use|could do with|needs?|wants?) (?:(another|an extra|an additional) )?(\d+(?:\.\d+)?) "
        r"(?:(more|less|fewer) db|db (more|less)|(?<=\d )db\b)",
        lambda m: (
            f"{'lower' if 'more' not in (m.group(3) or m.group(4) or 'more') else 'boost'} by {m.group(2)} db"
            if m.group(1) or m.group(3) or m.group(4) else m.group(0)
        ),
        t,
    )
    # "between minute 1 and minute 2"; "1 minute 30 seconds" is a time of its own; a non-native
    # "from second 30 until second 45" is 0:30 to 0:45 ("the second 2 minutes" is not)
    t = re.sub(r"(?<!\d )\bminute (\d+)\b", lambda m: f"{int(m.group(1))}:00", t)
    if "second " in t:
        t = re.sub(r"\b(?:the )?second (\d+(?:\.\d+)?)\b(?!\s*(?:s|secs?|seconds?|minutes?|mins?|db|%|:|\.\d))", r"\1 s", t)
    if "mark" in t or "point" in t:
        t = re.sub(r"\b(?:the )?(\d+(?::\d\d)?)(?:[ -](minute|min|second|sec)s?)? (?:mark|point)\b", lambda m: (
            f"{m.group(1)} {m.group(2)}s" if m.group(2) else m.group(1)), t)  # "from the 1 minute mark"
    t = re.sub(r"\b(that|this|which|same|other|the|every|each|single) 1\b(?!\s*(?:s|secs?|seconds?|minutes?|mins?|db|:|\.\d|%))", r"\1 one", t)
    # "at about 0:35", "about 2 seconds": roughly a time
    t = re.sub(
        r"\b(?:at )?(?:about|roughly|approximately|approx\.?|circa)\s+(?=\d{1,2}:\d\d|\d+(?:\.\d+)?\s*"
        r"(?:seconds?|secs?|s|minutes?|mins?)\b)",
        "around ",
        t,
    )
    t = re.sub(r"\badd (?=[+]?\d+(?:\.\d+)? ?db\b)", "boost ", t)  # "add 15 dB (of gain)"
    t = re.sub(r"(\d)\s*\bdash\b\s*(?=\d)", r"\1-", t)  # "0:12 dash 0:14" as a recogniser writes it
    t = re.sub(r"\btwice\b(?! as)", "2 times", t)
    for c in _COMPOUNDS:
        t = t.replace(c, c.replace(" and ", " & "))
    # how often, said with "and" (which would split the clause): "a buzz on and off"
    t = re.sub(r"\b(?:on and off|off and on|(?:every )?now and (?:then|again)|again and again|over and over(?: again)?)\b",
               "occasionally", t)
    if "/" in t:  # "fade 2s in/out", "fade in/out": both fades
        t = re.sub(r"\bfade (\d+(?:\.\d+)? ?(?:s|secs?|seconds?)) in ?/ ?out\b", r"fade in and out \1", t)
    if "fade " in t:  # "fade 3 seconds in and out": both fades, that long
        t = re.sub(r"\bfade (\d+(?:\.\d+)? ?(?:s|secs?|seconds?)) in and out\b", r"fade in and out \1", t)
        t = re.sub(r"\bfade in ?/ ?out\b", "fade in and out", t)
    # "fade out, make it 6": the length of that fade
    t = re.sub(r"\b(fade (?:it )?(?:in|out)),?\s*make (?:it|that) (?=\d)", r"\1 ", t)
    # "fade in and out over 2 s" -> two fades sharing the length
    t = re.sub(
        r"\bfade (?:it )?in and (?:fade )?out\b((?:[^,;.]|\.(?=\d))*(?:,\s*(?:about |around )?\d+(?:\.\d+)?\s*(?:seconds?|secs?|s)\b"
        r"(?: each| long)?(?=\s*(?:$|[,;.])))?)",
        lambda m: f"fade in{m.group(1)}, fade out{m.group(1)}",
        t,
    )
    # "fade out, 6": a transcript's comma ("fade in, fade out, 2 s each" is a length for both)
    t = re.sub(
        r"\b(fade (?:it )?(?:in|out)),\s*(?=\d)(?![\d.]+\s*\w*\s+(?:each|for both|both|apiece)\b)"
        r"(?![\d.]+\s*(?:s|secs?|seconds?)?\s*-?\s*fade\b)",  # ("3s fade in, 5s fade out": the next fade's length)
        r"\1 ",
        t,
    )
    return t


_SPLIT = re.compile(
    r"\s*(?:[,;!?]+|(?<=[a-z§\d])\s+-+\s+(?=[a-z])|\.(?=\s|$)|\band then\b|\bthen\b|\bafter that\b|\bafterwards\b|\band also\b|\balso\b|"
    r"\bplus\b|\band\b|"
    # "the blower should drop 8 dB while the singing goes up 3 dB": two level changes at once
    r"\bwhil(?:e|st) (?=turn (?:up|down) |(?:the|my|our|his|her|their) [^,;.]*?\b(?:goes|go|comes|come|drops?|rises?|gets?|should (?:go|come|drop|rise|get|be))"
    r" (?:up|down|louder|quieter|softer|[+-]?\d))|"
    # "remove the music but keep the motorcycles"; "the ambience is fine but the footsteps ..."
    r"\bbut (?=(?:please |just |also |then |do )?(?:keep|leave|retain|preserve|remove|get rid|take|lower|boost|make|"
    r"raise|turn|isolate|mute|cut|reduce|don'?t|do not)\b)|(?:(?<=\bfine)|(?<=\bokay)|(?<=\bok)|(?<=\bgood)|(?<=\bgreat)|(?<=\bperfect)) but\b)\s*"
)


# "the hum is audible at 0:05 to 0:08 remove it": a transcript often drops the comma between a
# time and the next command; a remove/keep verb right after a time starts a new clause.
_TIME_THEN_VERB = re.compile(
    r"(§\d+)\s+(?=(?:please |now |and )?(?:remove|get rid of|take (?:it |them )?out|delete|kill|cut (?:it|them)|"
    r"isolate|extract|keep (?:it|them|only)|lower (?:it|them)|boost (?:it|them)|raise (?:it|them)|find)\b)"
)


# "you can hear a helicopter in the distance remove it": a transcript drops the comma before a
# closing command on "it"/"them"; split there when the words before it hold no verb of their own.
_TRAILING_COMMAND = re.compile(
    r"\s+(?=(?:please |now )?(?:remove|get rid of|take (?:it |them )?out|delete|kill|isolate|extract|"
    r"lower|boost|raise|mute|cut) (?:it|them)\b(?: out| completely| everywhere)?$)"
)


#: a stretch at an edge said to be something, then cut: "the last 12 s are just room tone, chop them off"
_EDGE_STRETCH_CUT = re.compile(
    r"(?:^|(?<=[,;.!?] ))(?P<all>(?:everything|anything|all|whatever)(?: that is| is)? )?§(?P<n>\d+)(?: (?:part|bit|section|stretch))? "
    r"(?:is|are|r|was|were|has|have|contains?)\b[^,;.!?§]{1,40}?[,;.]? (?:so |and |please |just )?"
    r"(?:cut|chop|get rid of|remove|delete|drop|lose|trim|shave|snip|ditch|kill|scrap|toss|bin|nuke)"
    r"(?: off| out| away)? (?P<pro>them|those|these|it|that)(?: off| out| away)?(?= *(?:$|[,;.!?]|please\b))"
)
#: how an edge of the file is said without "first"/"last": "N seconds of dead air at the top",
#: "the take ends with N seconds of me ...", "the tail has N s of junk"
_AT_THE_TOP = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?) ?(?P<u>seconds?|secs?|s) of (?P<what>[^,;.!?]{1,50}?) at the (?:top|start|beginning|head)\b"
)
_ENDS_WITH = re.compile(
    r"\b(?:(?:the |my |this )?(?:take|clip|recording|file|track|audio|song|video) ends with|"
    r"(?:the )?(?:tail|end) (?:has|contains|is)) (?P<n>\d+(?:\.\d+)?) ?(?P<u>seconds?|secs?|s) of\b"
)
#: "my countdown runs until 0:06, delete everything before that": "that" is the time just said
_BEFORE_THAT = re.compile(
    r"(?P<time>\b\d{1,2}:\d\d(?:\.\d+)?\b)(?P<mid>[^§]*?\b(?:everything|anything|all|whatever(?: comes| is)?) (?:before|after))"
    r"(?: (?:that|this|then|it))?(?= *(?:$|[,;.!?]))"
)


#: the part to keep, said as what remains or what is needed: "trim it so only 0:20 to 1:10 remains",
#: "all I need from this take is 0:22 to 1:08", "the usable part is 0:15-1:45 (so trim to that)"
_ONLY_REMAINS = re.compile(
    r"\btrim (?:it |this |the (?:file|clip|audio|recording|take|track) )?so (?:that )?(?:only |just )?(?P<t>[^,;]+?) "
    r"(?:remains|is left|stays|survives|is kept)\b"
)
_ALL_I_NEED = re.compile(
    r"(?:^|(?<=[,;.] ))all (?:i|we) (?:need|want|care about)(?: (?:from|of|in) (?:the|this|my|our) \w+)? is (?=\d|the (?:first|last)\b)"
)
_USABLE_PART = re.compile(
    # ("the bit I want is 0:50 to 1:30; get rid of the rest", "the good take runs from 1:05 to 1:40, keep that bit")
    r"(?:^|(?<=[,;.] ))the (?:(?:usable|good|useful|best|clean|keeper|main|real|only good) (?:part|bit|section|portion|stretch|take)|"
    r"(?:part|bit|section|portion|stretch) (?:i|we) (?:want|need|like|want to keep|need to keep))"
    r"(?: of (?:the|this|my|our) \w+)? (?:is|runs|goes|lasts) (?P<t>(?:from )?\d[^,;]*?)"
    r"(?:[,;]? (?:so |and |just |please |then )*(?:(?:trim|cut|crop|keep) (?:it |this )?(?:(?:down )?to )?(?:that|this|it|only that)"
    r"(?: (?:bit|part|section|one))?|(?:get rid of|cut|drop|lose|remove|bin|ditch|delete|chop|trim) (?:off )?(?:all )?the rest))?(?=\s*(?:$|[,;.!?]))"
)
#: both edges at once: "trim 2 s from head and tail", "first five and the last five seconds"
_HEAD_AND_TAIL = re.compile(
    r"\b(?:from|off) (?:the )?(?:head and tail|start and end|beginning and end|front and back|top and tail)\b"
)
_FIRST_AND_LAST = re.compile(
    r"\bfirst (?P<a>\d+(?:\.\d+)?) and (?:the )?last (?P<b>\d+(?:\.\d+)?) (?P<u>seconds?|secs?|s|minutes?|mins?)\b"
)
#: a stretch said first, then its verb: "the first ten seconds please cut away" (non-native order)
_STRETCH_THEN_CUT = re.compile(
    r"^(?P<t>the (?:first|last|final|opening) \d+(?:\.\d+)? ?(?:seconds?|secs?|s|minutes?|mins?))"
    r" (?:please )?(?:cut|remove|delete|trim|drop|chop)(?: away| off| out)?$"
)
#: editor words: "out-point at 1:40", "in-point at 0:05", "trim in/out: 0:05 / 1:35"
_EDIT_POINT = re.compile(r"\b(?P<w>in|out)[- ]?point (?:at |is |= ?|: ?)?(?=\d)")
_IN_OUT = re.compile(r"\b(?:trim|cut|crop) in ?/ ?out:? (?P<a>[\d:.]+) ?/ ?(?P<b>[\d:.]+)")


#: "there's junk in the first 5 and the last 5 seconds, trim both": the stretches are what is empty
_EMPTY_IN = re.compile(
    rf"\bthere(?:'s| is| are) (?:(?:some|a lot of|lots of|a bit of) )?(?P<w>{EMPTY}|stuff) (?:in|at|during) "
    r"(?P<t>the (?:first|last) [^,;]+?)(?: of (?:the|this|my|our) \w+)?(?=\s*[,;.]\s*\w)"
)


def _keep_parts(text: str) -> str:
    """The part to keep and both edges, said in ways the time reader does not know, as "trim to A-B",
    "trim N s from both ends", "cut everything after T"."""
    if "trim" in text or "cut" in text or "crop" in text:
        text = _ONLY_REMAINS.sub(lambda m: f"trim to {m.group('t')}", text)
        text = _IN_OUT.sub(lambda m: f"trim to {m.group('a')}-{m.group('b')}", text)
    if "all " in text:
        text = _ALL_I_NEED.sub("keep ", text)
    if " part" in text or " bit" in text or "section" in text or "portion" in text or "stretch" in text:
        text = _USABLE_PART.sub(lambda m: f"trim to {m.group('t')}", text)
    if " and " in text:
        text = _HEAD_AND_TAIL.sub("from both ends", text)
        text = _FIRST_AND_LAST.sub(lambda m: f"first {m.group('a')} {m.group('u')} and the last {m.group('b')} {m.group('u')}", text)
    if "there" in text:
        text = _EMPTY_IN.sub(lambda m: f"{m.group('t')} are {m.group('w')}", text)
    text = _STRETCH_THEN_CUT.sub(lambda m: f"cut {m.group('t')}", text)
    if "point" in text:
        # "in-point at 0:02, out-point at 1:50": the part kept between them
        text = re.sub(r"\bin[- ]?point (?:at |is )?([\d:.]+\d),? (?:and )?(?:the )?out[- ]?point (?:at |is )?([\d:.]+\d)", r"trim to \1-\2", text)
        text = _EDIT_POINT.sub(lambda m: "cut everything after " if m.group("w") == "out" else "cut everything before ", text)
    return text


def _edge_parts(text: str) -> str:
    """Edges of the file said in words find_times does not read, said as "the first/last N seconds"."""
    text = _keep_parts(text)
    if " of " in text:
        text = _AT_THE_TOP.sub(lambda m: f"the first {m.group('n')} {m.group('u')} are {m.group('what')}", text)
        text = _ENDS_WITH.sub(lambda m: f"the last {m.group('n')} {m.group('u')} are", text)
    if "before" in text or "after" in text:
        # "drop whatever comes after": everything after; "hard stop at 1:50": the file ends there
        text = re.sub(r"\bwhatever (?:comes|is|happens|follows) (?=before\b|after\b)", "everything ", text)
        text = _BEFORE_THAT.sub(lambda m: f"{m.group('time')}{m.group('mid')} {m.group('time')}", text)
        text = re.sub(r"^(?:a )?hard (?:stop|end|out) at [\d:.]+\s*,\s*(?=(?:\w+ ){1,2}everything after\b)", "", text)
    if "hard " in text:
        text = re.sub(r"^(?:a )?hard (?:stop|end|out) at (?=\d)", "cut everything after ", text)
    return text


def _split(text: str) -> list[str]:
    clauses: list[str] = []
    text = _TIME_THEN_VERB.sub(r"\1, ", text)
    m = _TRAILING_COMMAND.search(text)
    # the words since the last comma must say something of their own ("just lower it", "that was too
    # much, just lower it": nothing to split off)
    before = re.split(r"[,;.!?]", text[: m.start()])[-1] if m else ""
    if m and not VERB.search(before) and clean_target(before):
        text = f"{text[: m.start()]}, {text[m.end() :]}"
    for c in (piece for part in _SPLIT.split(text) if part for piece in split_run_on(part)):
        if not c or not c.strip(" .,"):
            continue
        if clauses and c.strip() == clauses[-1] and not UNDO.search(c):
            continue  # a stutter in a transcript ("double, double, double"), not a second request
        # "fade in 2s fade out 3s": two fades with nothing between them
        fades = list(FADE_START.finditer(c))
        cuts = [m.start() for m in fades[1:]]
        for a, b in zip([0, *cuts], [*cuts, len(c)]):
            clauses.append(c[a:b].strip())
    return clauses


#: the end of a sentence: what a later sentence asks for does not take an earlier one's noun phrases
_SENTENCE_END = re.compile(r"(?<=[a-z§\d)'\"])\s*(?:[.!?]+)\s+(?=\S)")
#: a clause about the user, not a sound: "i do asmr", "i'm a teacher", "we live by a highway"
_ABOUT_ME = re.compile(
    r"^\W*(?:(?:so|well|and|but|also|hi|hey|hello) )*(?:i|we|i'm|we're|i've|we've)\b(?! (?:want|need|would|'d))|"
    # what was going on while it was recorded: "the person next to me was unwrapping candy"
    r"^(?:(?!§).)+ (?:was|were) \w{3,}ing\b"
)


@dataclass
class _Item:
    """One clause, read: an operation, a bare noun phrase, or a bare time."""

    op: str | None = None  # separate | gain | fade | trim | normalize | export | undo | reset | None
    action: str | None = None  # remove | isolate | gain (for separate)
    target: str | None = None  # cleaned target; None when none was named
    pronoun: bool = False  # target was "it"/"that": points back
    whole: bool = False  # target is the whole mix
    db: float | None = None
    times: list[TimeRef] = field(default_factory=list)
    spans_hint: bool = False  # "find it everywhere": times are span prompts
    presence: bool = False  # "there's a hum" / "the hum is annoying": remove unless told otherwise
    fields: dict = field(default_factory=dict)  # other step fields (direction, seconds, format ...)
    trim_mode: str | None = None  # 'remove' (cut these parts away) | 'keep' (keep only this part)
    count: int = 1
    gentle: bool = False
    explicit_db: bool = False
    found: bool = False  # "find the dog ...": isolate unless a later clause says otherwise
    rest: bool = False  # "... and ditch the rest": implied by an isolate before it
    box: tuple[float, float, float, float] | None = None  # video region (fractions) for a visual prompt
    implied: bool = False  # a level change read from a complaint ("the vocals are buried"): a later verb wins
    generic: bool = False  # "isolate the sound at 0:05-0:08": the spans are the whole prompt, no target
    pronoun_word: str = ""
    also: bool = False  # "... remove the hiss too": adds to what was said before, replaces nothing
    described: bool = False  # "the snare sounds thin": a description, not a sound waiting for a verb
    default_length: bool = False  # a fade whose length was not said (a bare time after it may say it)
    instead: bool = False  # "just turn it down instead": "it" is the sound of the last edit
    fallback: str | None = None  # the target when a pronoun points to nothing ("clean it up": the noise)
    amount_only: bool = False  # "like 4 dB": an amount for the level change before it
    unsigned: bool = False  # "..., and the hiss by 5 dB": a verbless amount, in the direction of the verb before
    length: float | None = None  # "2 seconds each": a length alone, for the fade(s) before it
    each: bool = False  # ... for every fade before it
    over: str | None = None  # "I can't hear myself over the music": the sound in the way
    unnamed: bool = False  # the verb had no object at all ("..., louder please"): a noun before it may be it
    stretch: bool = False  # "the first 10 seconds are silence": a stretch named by its time, for a later verb
    mute: bool = False  # the remove-verb was "mute"/"silence": on a stretch alone it lowers the mix
    sentence: int = 0  # which sentence of the instruction the clause is in (split at . ! ?)
    about_me: bool = False  # "I do ASMR", "I'm a teacher": a clause whose subject is the user, no verb read
    names_time: bool = False  # "(at 0:10-0:12,) there's only the fan": names the sound at the bare time just before
    opens_sentence: bool = True  # the clause is the first of its sentence
    said: str = ""  # the clause as read
    whole_sentence: str = ""  # the sentence the clause is in
    keeps_rest: bool = False  # "..., leave everything else alone": nothing to do after a removal
    named_only: bool = False  # "..., name it final_mix": the name of an export said in a clause of its own


#: what the user's band, room or neighbour does, said before a command that names its own sound
#: ("my band rehearses in a garage and ..., get rid of the water heater"): background, not a sound
_WHAT_MINE_DOES = re.compile(
    r"^(?:(?:so|well|and|but) )?(?:my|our) [\w-]+(?: [\w-]+)? [a-z]+(?:s|es) (?:in|at|on|from|every|all|under|through|near|next to|with|out of)\b"
)
#: how a fade out ends, said after it: "reaching silence at the end", "down to nothing"
_TO_SILENCE = re.compile(
    r"^(?:and )?(?:reaching|reach|going|go|getting|get|fading|ending|end|coming|down|all the way)(?: down)?(?: to| in| into| at)? "
    r"(?:total |complete |full |dead |pure )?(?:silence|nothing|zero)(?: (?:at|by) the (?:very )?end)?$"
)
#: a head that announces the request: "one request: can you ...", "quick ask: ..."
_ASK_HEAD = re.compile(r"^(?:(?:1|one|a|my|quick|small|simple|another|just 1|just one) )+(?:request|question|ask|favou?r|thing)s?$")


def _size(words: str) -> float:
    """dB for an intensifier before "too loud" / "too much": "way" 10, "a bit" 3, else 6."""
    return LARGE_DB if LARGE.search(words) else SMALL_DB if SMALL.search(words) else DEFAULT_DB


class _Reader:
    """Reads one instruction into items, then combines them into recipe steps."""

    def __init__(self, duration: float | None, context: PlanContext):
        self.duration = duration
        self.context = context
        self.refs: list[TimeRef] = []
        self.amount_feedback = False  # "that's too much": a later "it" is the sound of the last edit

    # -- one clause --------------------------------------------------------------------------

    def _times_in(self, clause: str) -> list[TimeRef]:
        return [self.refs[int(i)] for i in re.findall(r"§(\d+)", clause)]

    def read_clause(self, c: str) -> _Item | None:
        """Read one clause; None when nothing is left once interjections are dropped."""
        annoyed = bool(ANNOYED.match(c))
        item = self._read_clause(c)
        if annoyed and item is not None and item.op is None and item.target and not item.described:
            item.presence = True  # "omg the wind": a complaint
        if item is not None and item.op is None and item.target and item.times and SPANS_HINT.search(c):
            item.spans_hint = True  # "the noise at 0:12-0:13 shows up all over": an example of it, for every shape
        return item

    def _read_clause(self, c: str) -> _Item | None:
        head, colon, tail = c.partition(":")
        if colon and "§" not in head and (
            SOCIAL.match(LEAD_CLAUSE.sub("", head.strip()) or head.strip()) or _ASK_HEAD.match(head.strip())
        ):
            c = tail  # "quick question: can you remove the crowd noise"
        for _ in range(3):  # "so, how do I ...", "hi, is there a way to ..."
            if SOCIAL.match(c.strip()) or SOCIAL.match(LEAD_CLAUSE.sub("", c).strip()):
                return None  # "hi all", "thanks in advance", "any help appreciated"
            c = PREAMBLE.sub("", LEAD_CLAUSE.sub("", c).strip()).strip()
        if not c or (NARRATIVE.match(c) and not VERB.search(c) and "§" not in c):
            return None
        if FINE.match(c) and "§" not in c:
            return None  # "the ambience is fine (but ...)": nothing to do with it
        if any(w in c for w in _FEEDBACK_WORDS) and AMOUNT_FEEDBACK.match(c.strip()) and "§" not in c:
            self.amount_feedback = True  # "hmm that's too much, just make it quieter"
            return None
        still = c.lstrip().startswith(("it", "they", "that", "this")) and STILL_THERE.match(c.strip())
        if still and "§" not in c and not clean_target(still.group("rest")):
            return None  # "lower the hum a bit, it's there the whole time"
        if _TO_SILENCE.match(c.strip()):
            return None  # "fade out ..., reaching silence at the end": what a fade out does
        if (JUSTIFY.match(c) or FEEDBACK.match(c)) and "§" not in c:
            return None  # "it's just me handling the mic", "that helped", "too much"
        c = self._prepare(c)
        times = self._times_in(c)
        # (the patterns below open on a time, or on "anything" before it: "anything past 1:40 is junk")
        if times and PART_IS.match(c.strip()):  # "the intro is the first 6 seconds, cut it"
            return _Item(op=None, times=times, stretch=True)
        only_there = ONLY_THERE.search(c) if "there" in c else None
        if only_there:  # "between 0:10 and 0:12 there's only the hvac": where it is heard alone
            for t in times:
                t.span = True
            return self._target_item(_Item(op=None, times=times, names_time=not times), only_there.group("t"))
        named_by_time = c.lstrip().startswith(("§", "anything", "everything", "all ", "whatever", "stuff", "the stuff"))
        if named_by_time and UNWANTED_PART.match(c.strip()):  # "the first 3 seconds aren't needed": cut them
            return _Item(op="trim", times=times, trim_mode="remove")
        if named_by_time and (EMPTY_PART.match(c.strip()) or GOOD_PART.match(c.strip())):
            # "the first 10 seconds are silence, cut them", "0:10-0:40 is the good part, keep it"
            return _Item(op=None, times=times, stretch=True)
        spans_hint = bool(SPANS_HINT.search(c))
        ref = REFERENCE.search(c)
        if ref:  # "use 0:30-0:32 as a reference for the hum": those times are where the hum is heard
            for t in times:
                t.span = t.reference = True
            named = ref.group("t")
            where = " ".join(re.findall(r"§\d+", ref.group("where")))
            rest = f"{c[: ref.start()]} {where} {c[ref.end() :]}".strip()
            if not VERB.search(rest) or not re.sub(r"§\d+|[\s:,]", "", rest):
                return _Item(op=None, target=clean_target(named) if named else None, times=times)
            item = self.read_clause(rest)
            if item is not None and named and (item.pronoun or not item.target):
                item.target, item.pronoun, item.whole = clean_target(named), False, False
            return item
        if times and HEARING.search(c) and not CANT_HEAR.match(c):
            for t in times:  # "you can clearly hear the rain between 0:20 and 0:25"
                t.span = True
            # "at 0:10 you only hear the fan": where it is heard alone, no wish to keep only it
            c = re.sub(r"\b(?:only|just) (?=(?:hear|heard)\b)|(?<=\bhear) (?:only|just)\b", "", c)
        item = self._read_command(c, times) or self._read_idiom(c, times)
        if item is not None:
            return item
        m = times and " out" in c and STANDS_OUT.match(c)
        if m:  # "the bagpipes stand out from 2:10 to 2:14": where they are heard
            for t in times:
                t.span = True
            return self._target_item(_Item(op=None, times=times), m.group("t"))
        verb = self._main_verb(c)
        if (
            verb is not None
            and c[verb[1] : verb[2]] == "out"
            and _OUT_AFTER_VERB.search(c[: verb[1]])
            # ("walking stick tapping out from 12 to 20": a noun before the sound's gerund is no verb)
            and not re.search(r"\b(?:stick|stand|block|check|look|stretch|zone)\s+\w+ing\s*$", c[: verb[1]])
        ):
            verb = None  # "the fan drowns everything out": the "out" of the verb before it, not "X out"
        if verb is None or c[verb[1] : verb[2]] == "out":  # (a bare "X out" may be "face the end out")
            fixed = fix_opening_verb(c)
            if fixed != c:  # "remvoe the wind": read it again with the verb spelled right
                return self.read_clause(fixed)
        if verb is None:
            return self._read_verbless(c, times, spans_hint)
        kind, start, end = verb
        rest = c[:start] + " " + c[end:]
        item = _Item(op="separate", times=times, spans_hint=spans_hint)
        item.gentle = bool(GENTLE.search(c)) and not FULL.search(c)
        rest = GENTLE.sub(" ", FULL.sub(" ", rest))
        if kind in ("up", "down"):
            return self._read_level(c, rest, item, up=kind == "up")
        if kind == "remove":
            return self._read_remove(c, rest, item, verb_text=c[start:end])
        if kind == "trim":
            cleaned = clean_target(re.sub(r"\b(?:down|off|away|out)\b", " ", rest))  # "trim it down to 0:30-1:00"
            if times and (not cleaned or is_whole(cleaned) or cleaned in PRONOUNS):  # "trim it to 0:10-0:40"
                keep = any(r.kind == "range" for r in times) or re.search(r"\bto (?:just |only )?§", c)
                return _Item(op="trim", times=times, trim_mode="keep" if keep else "remove")
            return _Item(op="trim", times=times, trim_mode="remove")
        return self._read_isolate(rest, item, finding=c[start:end].startswith("find"))

    def _prepare(self, c: str) -> str:
        """Put separable verbs back together and mark excepted times."""
        # "take the reverb out" -> "take out the reverb"; "pull the guitar back" -> "pull back the guitar"
        # "get the coins out of the voice track", "wipe the truck off this recording": what it is taken
        # out of stays after the sound, as "from ..." (which the target cleaning drops)
        c = re.sub(
            r"\b(get|take|cut|filter|strip|pull|block|cancel|wipe)\b ((?:every (?:trace|bit|last bit|last trace) of )?(?:(?!§)\S+ ){0,3}?(?:(?!§)\S+)) "
            r"(out|away|off)\b(?! §)(?P<source> of\b| from\b|(?= (?:the|this|that|my|our|your|his|her|their)\b))?",
            lambda m: f"{m.group(1)} {m.group(3)} {m.group(2)}" + (" from" if m.group("source") is not None else ""),
            c,
        )
        # "leave the dog out": the dog is what goes ("leave" alone keeps)
        c = re.sub(r"\bleave\b ((?:(?!§)\S+ ){0,3}?(?:(?!§)\S+)) out\b(?! of\b)", r"remove \1", c)
        c = re.sub(r"\b(clean|tidy|sort)\b ((?:(?!§)\S+ ){0,2}?(?:(?!§)\S+)) (up|out)\b(?! §)", r"\1 \3 \2", c)
        # "bring it back up a little": up again, the "back" says nothing more
        c = re.sub(r"\b(bring|turn|push|crank|pump|dial|nudge|bump) (it|them|that|this) back (up|down)\b", r"\1 \3 \2", c)
        c = re.sub(
            r"\b(pull|push|knock|sit|set|take|bump|nudge|crank|pump|dial|tone|bring|turn|ease)\b ((?:(?!§)\S+ ){0,3}?(?:(?!§)\S+)) "
            r"(back|down|up)\b(?! §)",
            r"\1 \3 \2",
            c,
        )
        # "everywhere except between 0:10 and 0:20": those times are left alone
        for m in EXCEPT_TIME.finditer(c):
            self.refs[int(m.group(1))].exclude = True
        return EXCEPT_WORD.sub(" ", c)

    def _read_command(self, c: str, times: list[TimeRef]) -> _Item | None:
        """Reset, undo, export, normalize and fade: ops named by a word of their own."""
        if RESET.search(c):
            return _Item(op="reset")
        last = ("last" in c or "previous" in c or "latest" in c or "recent" in c) and UNDO_LAST.search(c)
        if last:  # "remove the last edit" undoes it; it removes no sound
            return _Item(op="undo", count=max(1, min(int(last.group("n") or 1), 20)))
        if UNDO.search(c) and not VERB.search(re.sub(r"\bgo back\b|\bundo\b", " ", c)):
            m = re.search(r"\b(\d+) (?:times|steps?|changes?|edits?)\b", c)
            return _Item(op="undo", count=max(1, min(int(m.group(1)), 20)) if m else 1)
        if EXPORT_VERB.search(c):  # "export as flack": a format the recogniser wrote as another word
            for heard, fmt_word in MISHEARD.items():
                c = re.sub(rf"\b{heard}\b", fmt_word, c)
            near = re.search(r"\b(?:as|to|in|into)\s+(?:an?\s+)?([a-z0-9]{2,5})\b(?!\.)", c)
            if near and not FORMAT.search(c):  # "save as flaq": respelt only when one format is close
                close = difflib.get_close_matches(near.group(1), EXPORT_FORMATS, n=2, cutoff=0.7)
                if len(close) == 1:
                    c = c[: near.start(1)] + close[0] + c[near.end(1) :]
        fmt = FORMAT.search(c)
        if fmt and EXPORT_VERB.search(c):  # "convert this wav to flac": the format after "to" is the output
            later = re.search(r"\b(?:to|into|as)\s+(?:an?\s+)?(" + FORMAT.pattern[3:-3] + r")\b", c)
            if later:
                fmt = FORMAT.search(c, later.start(1))
        only_format = fmt and is_whole(
            clean_target(re.sub(r"\b(?:file|version|copy|format|as|into|in|to|an?|it|this)\b", " ", FORMAT.sub(" ", VERB.sub(" ", c))))
        )
        if EXPORT_VERB.search(c) or (only_format and not NORMALIZE.search(c)) or _NAME_IT.match(c.strip()):
            # ("..., call it take2.wav": naming the result asks for it to be written out)
            return self._export(c, fmt, _FILE.search(c))
        if NORMALIZE.search(c):
            return self._normalize(c)
        fade = FADE.search(c)
        if fade:
            return self._fade(c, fade, times)
        return None

    def _read_idiom(self, c: str, times: list[TimeRef]) -> _Item | None:
        """Set phrases: "make the voice clearer", "karaoke", "everything but X", "too loud" ..."""
        m = COMPARE.match(c)
        if m:  # "the guest is much quieter than me": a complaint; a later command on it wins
            size = _size(m.group("int") or "")
            item = _Item(op="separate", action="gain", db=size if m.group("up") else -size, times=times, implied=True)
            return self._target_item(item, m.group("t"))
        m = PERSIST.match(c) or SOURCE.match(c)
        if m and times and GENERIC_SOUND.fullmatch(clean_target(m.group("t"))):
            for t in times:  # "whatever is at 1:50 keeps appearing": a prompt by time alone
                t.span = True
            return _Item(op=None, times=times, generic=True)
        if m and not VERB.search(m.group("t")):  # "the dog keeps barking"; "the mic picks up static"
            return self._target_item(_Item(op=None, times=times, presence=True), m.group("t"))
        m = NOMINAL.match(c)
        if m:  # "noise reduction", "vocal isolation"
            action = "isolate" if m.group("n") in ("isolation", "extraction", "separation") else "remove"
            return self._target_item(_Item(op="separate", action=action, times=times), m.group("t"))
        if DENOISE.search(c):  # "denoise" cleans the whole mix; "denoise the dialogue" keeps the dialogue
            target = clean_target(DENOISE.sub(" ", c))
            if not target or target in PRONOUNS or is_whole(target):
                return _Item(op="separate", action="remove", target="noise", times=times)
            return _Item(op="separate", action="isolate", target=target, times=times)
        m = MORE_LESS.match(c)
        if m and not VERB.search(c):  # "more bass", "a bit less reverb"
            size = _size(m.group("int") or "")
            item = _Item(
                op="separate", action="gain", db=size if m.group("dir") == "more" else -size, times=times
            )
            return self._target_item(item, m.group("t"))
        m = CLEARER.search(c)
        if m and re.search(r"\bclean (?:up )?(?:it|them)\b", c):
            # "the mic picks up static, clean it up": "it" is the sound named before, else the noise
            return _Item(op="separate", action="remove", times=times, pronoun=True, pronoun_word="it", fallback="noise")
        if m:
            target = clean_target(m.group("t") or m.group("t2") or "")
            if target and not is_whole(target):
                return _Item(op="separate", action="isolate", target=target, times=times)
            return _Item(op="separate", action="remove", target="noise", times=times)
        m = WITHOUT.match(c)
        if m:  # "a backing track without the bass": the bass is what goes
            return self._target_item(_Item(op="separate", action="remove", times=times), m.group("t"))
        if KARAOKE.search(c) and not (COMPLAINT.match(c) or RUINS.match(c) or TOO.match(c)):
            return _Item(op="separate", action="remove", target="vocals", times=times)
        if ACAPPELLA.search(c):
            return _Item(op="separate", action="isolate", target="vocals", times=times)
        m = EXCEPT.match(c)
        if m:  # "remove everything but the voice" keeps the voice; "keep all but the drums" drops them
            verb = VERB.search(m.group("v"))
            action = "remove" if verb is not None and verb.lastgroup == "isolate" else "isolate"
            return self._target_item(_Item(op="separate", action=action, times=times), m.group("t"))
        if HALF.search(c) or DOUBLE.search(c):
            db = -DEFAULT_DB if HALF.search(c) else DEFAULT_DB
            rest = VERB.sub(" ", HALF.sub(" ", DOUBLE.sub(" ", c)))
            return self._target_item(_Item(op="separate", action="gain", db=db, times=times), rest)
        m = CANT_HEAR.match(c)
        if m:
            target = m.group("t") or m.group("t2") or ""
            item = _Item(op="separate", action="gain", db=DEFAULT_DB, times=times, implied=True)
            over = re.search(r"\b(?:over|under|behind|through|above) (.+)$", target)
            item.over = clean_target(over.group(1)) if over else None  # "I can't hear myself over the music"
            return self._target_item(item, target)
        m = HAS_TOO.match(c)
        if m:  # "our band rehearsal recording has the drums way too loud"
            up = m.group("dir") in ("quiet", "soft", "low", "faint", "weak", "buried")
            size = _size(m.group("int") or "")
            item = _Item(op="separate", action="gain", db=size if up else -size, times=times, implied=True)
            return self._target_item(item, m.group("t"))
        m = LEVEL_ADJ.match(c)
        if m and not VERB.search(c):  # "the piano sounds a bit quiet compared to the vocals"
            up = m.group("dir") in ("quiet", "soft", "faint", "low", "buried")
            size = _size(" ".join(re.findall(r"\b(?:a bit|a little|slightly|a touch|a tad|way|much|far)\b", c)))
            item = _Item(op="separate", action="gain", db=size if up else -size, times=times, implied=True)
            return self._target_item(item, m.group("t"))
        m = BIT_MUCH.match(c)
        if m and not VERB.search(c):  # "the crickets are a bit much"
            item = _Item(op="separate", action="gain", db=-SMALL_DB, times=times, implied=True)
            return self._target_item(item, m.group("t"))
        m = TOO.match(c)
        if m and not m.group("cop") and (VERB.search(m.group("t")) or _CAUSATIVE.match(m.group("t"))):
            m = None  # "make it too loud" is no complaint: only a bare noun phrase goes without its verb
        if m:
            up = m.group("dir") in ("quiet", "soft", "low", "faint", "weak", "buried")
            size = _size(c[: m.start("dir")])
            item = _Item(op="separate", action="gain", db=size if up else -size, times=times, implied=True)
            return self._target_item(item, m.group("t"))
        if not VERB.search(c):
            m = TOO_MUCH.match(c)
            if m:
                item = _Item(op="separate", action="gain", db=-_size(m.group("int") or ""), times=times)
                return self._target_item(item, m.group("t"))
            m = SO_MUCH.match(c)
            if m:
                return self._target_item(_Item(op=None, times=times, presence=True), m.group("t"))
        return None

    def _read_verbless(self, c: str, times: list[TimeRef], spans_hint: bool) -> _Item:
        """No verb: a wish, a complaint, a description, a noun phrase, a bare time, or a signed level."""
        m = RUINED_BY.match(c)
        if m:  # "my interview was ruined by a jackhammer outside"
            return self._target_item(_Item(op=None, times=times, presence=True), m.group("t"))
        m = AUDIBLE.match(c)
        subject = (m.group("t") or m.group("t2")) if m else ""
        if m and not BARE_TIME_SUBJECT.fullmatch(clean_target(subject)):
            for t in times:  # "the hum is clearly audible between 5 and 8 s": where the hum is heard
                t.span = True
            # with no time, "the fridge hum is really noticeable" is a complaint
            return self._target_item(_Item(op=None, times=times, presence=not times), subject)
        if (
            any(w in c for w in _ALONE_WORDS)
            and ALONE.search(c)
            and not COPULA.match(c)
            and not HEARING.search(c)
            and not THAT_IS.match(c)  # "(at 1:10) that's the fan on its own": names what is heard there
        ):
            # "can I get the interviewer's voice by itself" ("you can hear the bike by itself at ..." says where)
            return self._target_item(_Item(op="separate", action="isolate", times=times), ALONE.sub(" ", c))
        m = DONT_WANT.match(c)
        if m:
            target = m.group("t") or m.group("t2") or m.group("t3") or ""
            cleaned = clean_target(target)
            if times and (not cleaned or is_whole(cleaned) or TIME_ONLY_OBJECT.fullmatch(cleaned)):
                return _Item(op="trim", times=times, trim_mode="remove")  # "we don't need the last 10 seconds"
            return self._target_item(_Item(op="separate", action="remove", times=times), target)
        m = AGAIN_COMPLAINT.match(c)
        if m and not times:  # "that buzzing again"
            return self._target_item(_Item(op=None, presence=True), m.group("t"))
        m = SOUND_VERB.match(c)
        if m and m.group("at") and self.refs[int(m.group("at")[1:])].kind in ("range", "point"):
            m = None  # "the dog barks at 0:20-0:22": where it is heard, read as before
        if m:
            # "the church bells ring in the middle of the video", "the wind only gets bad after 2:00"
            subject = m.group("t") or m.group("t2") or m.group("t3") or m.group("t4")
            return self._target_item(_Item(op=None, times=times, described=True), subject)
        if WEAK_ISOLATE.search(c):  # "just the drums"
            return self._target_item(
                _Item(op="separate", action="isolate", times=times), WEAK_ISOLATE.sub(" ", c)
            )
        for pattern in (COMPLAINT, RUINS, PRESENCE):  # "the hum is annoying", "there's a hum"
            m = pattern.match(c)
            if m:
                item = self._target_item(_Item(op=None, times=times, presence=True), m.group("t"))
                if item.pronoun and item.pronoun_word in ("it", "them", "they") and times:
                    # "isolate the trumpet, you can hear it alone from 1:10 to 1:13": where it is heard
                    return _Item(op=None, times=times)
                item.spans_hint = spans_hint
                return item
        if times and _THE_ONES.match(c):
            for t in times:  # "(just the bongos,) they're the ones at 1:05 to 1:08": where they are heard
                t.span = True
            return _Item(op=None, times=times)
        m = THAT_IS.match(c)
        if m and not times:  # "that's the fan": names the sound heard at the time just given
            return self._target_item(_Item(op=None, names_time=True), m.group("t"))
        m = COPULA.match(c)
        if m and not times and not re.search(r"\d", c):  # "the snare sounds thin": a later verb says what
            return self._target_item(_Item(op=None, described=True), m.group("t"))
        db = signed_db(c)
        rest = strip_amounts(c)
        if db is None:  # "vocals at +4", "guitar -3"
            n = re.search(r"(?:\b(?:at|by|to) )?(?<![\w.§])([+-]\d+(?:\.\d+)?)\b(?!\s*(?:%|§|lufs))", rest)
            if n:
                db = float(n.group(1))
                rest = rest[: n.start()] + " " + rest[n.end() :]
        if db is not None and not times and not clean_target(HEDGE.sub(" ", rest)):
            # "quieter birdsong please, like 4 dB": the amount of the change before it, else the whole mix
            item = _Item(op="separate", action="gain", db=db, whole=True, explicit_db=True, amount_only=True)
            return item
        # a bare time: "only between 0:30 and 0:45", "it's clearly audible at 0:03"
        bare = clean_target(re.sub(r"\b(?:only|just|but|though)\b", " ", rest))
        if db is None and bare and GENERIC_SOUND.fullmatch(bare) and any(t.kind in ("range", "point") for t in times):
            # "that sound at 1:15-1:17, remove it": a prompt by time alone, for the verb that follows
            for t in times:
                t.span = True
            return _Item(op=None, times=times, generic=True)
        if times and db is None and (not bare or BARE_TIME_SUBJECT.fullmatch(bare)):
            return _Item(op=None, times=times)
        item = self._target_item(_Item(op=None, times=times, spans_hint=spans_hint), rest)
        if db is not None:
            item.op, item.action, item.db, item.explicit_db = "separate", "gain", db, True
            item.unsigned = not re.search(r"[+-]\s*\d", c)  # "and the hiss by 5 dB": no direction of its own
        return item

    def _read_level(self, c: str, rest: str, item: _Item, up: bool) -> _Item:
        """Louder / quieter: the amount is dB, "by N", N %, a bare number, "a bit", or the default."""
        size, explicit = amount(c)
        if not explicit:
            m = BY_NUMBER.search(c)
            p = PERCENT.search(c)
            n = re.search(r"(?<![\w.§:])(\d+(?:\.\d+)?)(?![\w.%:])(?!\s*(?:%|percent|times))", c)
            if m:
                size, explicit = float(m.group("v")), True
            elif p:
                frac = float(p.group("v")) / 100
                if not up and frac >= 1:
                    raise Refusal("lowering by 100% or more is removing: say 'remove' instead")
                size, explicit = abs(20 * math.log10(1 + frac if up else 1 - frac)), True
            elif n:  # "vocals up 3", "the drums down 4": a bare number next to the verb is dB
                size, explicit = float(n.group(1)), True
                rest = rest.replace(n.group(1), " ", 1)
        item.action, item.db, item.explicit_db = "gain", (size if up else -size), explicit
        # a second verb in the same clause ("turn it up louder") adds nothing
        return self._target_item(item, strip_amounts(VERB.sub(" ", rest)))

    def _read_remove(self, c: str, rest: str, item: _Item, verb_text: str) -> _Item:
        """Remove-verbs: a sound is removed; a time only is cut away (trim) or muted."""
        times = item.times
        db = signed_db(c)
        by = BY_NUMBER.search(c)
        if db is None and by and not times:  # "drop the music by 4": a level change, in dB
            db = float(by.group("v"))
        if db is not None:  # "cut the music by 6 dB", "drop the volume 3 dB": a level change
            item.action, item.db, item.explicit_db = "gain", -abs(db), True
            # ("cut it down 10 dB": the particle of the level change is no part of the sound)
            return self._target_item(item, strip_amounts(re.sub(r"\b(?:down|back)\b", " ", rest)))
        item.mute = bool(re.match(r"mute|silence", verb_text))
        cleaned = clean_target(strip_amounts(rest))
        if self._generic(item, cleaned):
            item.action = "remove"
            return item
        if times and (not cleaned or is_whole(cleaned) or TIME_ONLY_OBJECT.fullmatch(cleaned)):
            if re.match(r"mute|silence", verb_text):
                return _Item(op="gain", db=MUTE_DB, times=times, whole=True)
            return _Item(op="trim", times=times, trim_mode="remove")
        if not times and PART_OBJECT.fullmatch(cleaned):
            return _Item(
                op="trim", trim_mode="remove"
            )  # a bare time may follow: "cut the intro, the first 8 s"
        if not times and cleaned in ("volume", "level", "gain", "loudness"):
            return _Item(op="separate", action="gain", db=-DEFAULT_DB, whole=True)
        item.action = "remove"
        item = self._target_item(item, rest)
        if item.unnamed and not times:
            # a verb with no object at all ("..., please delete"): "delete it", the sound just named
            item.pronoun, item.pronoun_word, item.whole, item.unnamed = True, "it", False, False
        if item.target and REST.fullmatch(item.target):
            item.target, item.rest = None, True  # "keep the speech and ditch the rest"
        return item

    def _read_isolate(self, rest: str, item: _Item, finding: bool) -> _Item:
        """Keep-verbs: a sound is isolated; a time only is kept (trim)."""
        cleaned = clean_target(rest)
        if not finding and self._generic(item, cleaned):
            item.action = "isolate"
            return item
        if (
            item.times
            and (not cleaned or is_whole(cleaned) or TIME_ONLY_OBJECT.fullmatch(cleaned))
            and not finding
        ):
            return _Item(op="trim", times=item.times, trim_mode="keep")
        item.action = "isolate"
        item = self._target_item(item, rest)
        if item.target and REST.fullmatch(item.target) and not finding:
            item.keeps_rest = True  # "remove the hum, leave the rest (alone)": what a removal already keeps
        if finding and item.target:  # "find the dog at 0:03 and remove it": the verb comes later
            item.op, item.found = None, True
        return item

    def _generic(self, item: _Item, cleaned: str) -> bool:
        """ "isolate the sound at 0:05 to 0:08": an object naming no sound, with a time after "at"
        (or said to be heard), is a span prompt with no target, not a trim."""
        spans = [r for r in item.times if r.span or r.prep in ("at", "around") or r.kind == "point"]
        if not spans or not GENERIC_SOUND.fullmatch(cleaned):
            return False
        for r in item.times:
            r.span = True
        item.generic, item.target = True, None
        return True

    def _main_verb(self, c: str) -> tuple[str, int, int] | None:
        """(kind, start, end) of the clause's verb; 'trim' is its own kind."""
        m = re.search(r"\btrim(?:med)?\b(?: (?:off|away|down|out))?", c)
        found = [(m.start(), "trim", m.start(), m.end())] if m else []
        for v in VERB.finditer(c):
            found.append((v.start(), v.lastgroup, v.start(), v.end()))
        if not found:
            return None
        # "up"/"down" alone are weak: "clean up" is a remove verb, "speech up 5 dB" still a boost.
        strong = [f for f in found if c[f[2] : f[3]] not in ("up", "down")]
        _, kind, start, end = min(strong or found)
        return kind, start, end

    def _target_item(self, item: _Item, text: str) -> _Item:
        m = POSITION.search(text)
        if m:  # "the guitarist on the right": a region of the video when there is one
            text = text[: m.start()] + " " + text[m.end() :]
            if self.context.input_is_video:
                item.box = BOXES[m.group("where")]
        t = clean_target(text)
        if item.box is not None and not t:
            return item  # "the thing in the left half": the region alone is the prompt
        said = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()
        that_sound = THAT_SOUND.search(said) and t in (
            "sound", "sounds", "same sound", "one", "thing", "that one", "this one"
        )  # fmt: skip
        if ALL_OF_THEM.fullmatch(t):  # "remove both": every sound named before
            item.pronoun, item.target, item.pronoun_word = True, None, "them"
        elif that_sound or t in PRONOUNS or re.fullmatch(r"(?:all of )?(?:it|them)", t):
            item.pronoun, item.target = True, None
            item.pronoun_word = "that sound" if that_sound else t
        elif is_whole(t):
            item.whole, item.target, item.unnamed = True, None, not t
        else:
            item.target = t
        return item

    def _export(self, c: str, fmt: re.Match | None, file: re.Match | None) -> _Item:
        fields: dict = {}
        if file:
            ext = file.group(2).lower()
            if ext in UNSUPPORTED:
                raise Refusal(f"'{ext}' is not a supported format (use {', '.join(EXPORT_FORMATS)})")
            fields["format"] = FORMAT_WORDS[ext]
            fields["path"] = self.original_name(file.group(1))
        elif fmt:
            word = fmt.group(1)
            if word in UNSUPPORTED:
                raise Refusal(f"'{word}' is not a supported format (use {', '.join(EXPORT_FORMATS)})")
            fields["format"] = FORMAT_WORDS[word]
        else:
            pref = self.context.preferences.get("export_format") or self.context.preferences.get("format")
            fields["format"] = pref if pref in EXPORT_FORMATS else "wav"
        name = re.search(r"\b(?:called|named|(?:name|call|title) (?:it|the file|the (?:mp3|wav|flac|ogg)(?: file)?)|file ?name)\s+[\"']?([a-z0-9][\w-]*)\b(?!\.)", c)
        if not name:  # "export the mp3 as ep_07_final": a file name after "as" (not a format word)
            name = _AS_NAME.search(c)
            if name and FORMAT.fullmatch(name.group(1)):
                name = None  # "save it as mp3"
        if name and "path" not in fields:  # "export an mp3 called final" -> final.mp3
            fields["path"] = f"{self.original_name(name.group(1))}.{fields['format']}"
        return _Item(op="export", fields=fields, named_only=bool(_NAME_IT.match(c.strip())))

    def original_name(self, lowered: str) -> str:
        """The file name as the user typed it (the clause text is lower-cased)."""
        m = re.search(re.escape(lowered), self.raw, re.IGNORECASE)
        return m.group(0) if m else lowered

    def _normalize(self, c: str) -> _Item:
        m = (
            re.search(r"(-?\d+(?:\.\d+)?)\s*(?:lufs|lu)\b", c)
            or re.search(r"\blufs\s*(?:of |at |to |=|:)?\s*(-\d+(?:\.\d+)?)\b", c)  # "LUFS -16 int."
            or re.search(r"\bnormali[sz]\w* (?:\w+ )?(?:to|at) (-?\d+(?:\.\d+)?)\b", c)
            or re.search(r"\bloudness(?: target| level)?(?: of| to| at| =|:)? (-\d+(?:\.\d+)?)\b", c)  # "loudness target -12"
        )
        if m:
            lufs = -abs(float(m.group(1)))
        else:
            lufs = float(self.context.preferences.get("lufs", DEFAULT_LUFS))
            # the platform may be named in the clause, or anywhere around it ("our station needs files
            # that pass EBU R128. Can you normalize this one accordingly?")
            for where in (c, self.raw.lower()):
                found = next((value for pattern, value in PLATFORM_LUFS if re.search(pattern, where)), None)
                if found is not None:
                    lufs = found
                    break
        if not -70 <= lufs <= 0:
            raise Refusal(f"{lufs:g} LUFS is not a usable loudness target (between -70 and 0)")
        return _Item(op="normalize", fields={"lufs": lufs}, explicit_db=m is not None)

    def _fade(self, c: str, m: re.Match, times: list[TimeRef]) -> _Item:
        d = m.group("d") or m.group("d2")
        if d is None:
            d = "in" if re.search(r"\b(?:start|beginning|intro|begin)\b", c) else "out"
        direction = "in" if d in ("in", "up") else "out"
        seconds = None
        for ref in times:
            if ref.length is not None:
                seconds = ref.length
            elif direction == "in" and ref.kind in ("before", "point"):  # "fade in until 0:05"
                seconds = ref.a
            elif direction == "out" and ref.kind in ("after", "point"):  # "fade out starting at 1:50"
                if self.duration is None:
                    raise Refusal(
                        f"'{ref.text}' needs the length of the input, which is unknown here (give --duration)"
                    )
                seconds = self.duration - ref.a
                if seconds <= 0:
                    raise Refusal(f"'{ref.text}' is past the end of the audio ({self.duration:.2f} s)")
        if seconds is None:
            seconds = find_duration(re.sub(r"§\d+", " ", c))
        if seconds is None:  # "fade out 4": a bare number after a fade is its length in seconds
            n = re.search(r"(?<![\w.§:])(\d+(?:\.\d+)?)(?![\w.:%])(?!\s*(?:db|lufs)\b)", c)
            seconds = float(n.group(1)) if n else None
        return _Item(
            op="fade", fields={"direction": direction, "seconds": seconds or DEFAULT_FADE}, default_length=not seconds
        )

    # -- combining ----------------------------------------------------------------------------

    def read(self, raw: str) -> list[dict]:
        if raw.isupper():  # typed with caps lock on: the spelling pass skips capitalised names
            raw = raw.lower()
        self.raw = raw
        if not raw.strip():
            raise Refusal("the instruction is empty. " + HELP + ".")
        check_safety(raw)
        if INJECTION.search(raw.lower()):
            raise Refusal("I only edit audio; I don't take instructions that change what I am or what I follow")
        raw = fix_typos(raw)  # "remvoe teh hum": slips respelt once, before anything reads words
        text = plain_command(unwrap(_normalise(raw)))
        prefs = extract_preferences(raw)
        if prefs and not re.search(r"\b(?:and|then|also)\b", text):
            raise _Noted(prefs)  # "always export mp3" states a preference and asks for nothing now
        last = self.context.last_recipe
        head, comma, rest = text.partition(",")
        if comma and rest.strip() and FEEDBACK.match(LEAD_CLAUSE.sub("", head).strip(" .!?")):
            # "way better, now do the same for the dog": the feedback says nothing; the rest asks
            if AGAIN.match(rest.strip(" .!?")) or SAME_FOR.match(rest.strip(" .!?")):
                text = rest.strip()
        if AGAIN.match(text.strip(" .!?")):
            if last is None or not last.steps:
                raise Refusal("there is no earlier edit to repeat")
            return [s.model_dump(exclude_none=True) for s in last.steps]
        m = SAME_FOR.match(text.strip(" .!?"))
        also = ALSO_FOR.match(text.strip(" .!?"))
        if not m and also and last is not None and not VERB.search(text) and "§" not in text:
            m = also  # "and the wind too": the same edit on another sound
        if m:
            previous = [s for s in (last.steps if last else []) if s.op == "separate" and s.target]
            if not previous:
                raise Refusal("there is no earlier edit on a sound to repeat")
            target = clean_target(m.group("t"))
            step = previous[-1].model_dump(exclude_none=True, exclude={"spans", "absent", "mask"})
            return [{**step, "target": target}]
        unsupported = NOT_SUPPORTED.search(text)
        if unsupported:
            raise Refusal(f"'{unsupported.group(0)}' is not an edit I can make. " + HELP + ".")
        text = _edge_parts(text)
        text, self.refs = find_times(text)
        text = _EDGE_STRETCH_CUT.sub(self._cut_edge, text)
        if "silent" in text or "mute" in text:  # "make 1:05 to 1:07 completely silent": mute that stretch
            text = re.sub(r"\bmake (§\d+) (?:completely |totally |fully |entirely |dead )?(?:silent|muted|mute)\b", r"mute \1", text)
        if "care" in text:  # "I only care about the chunk between A and B": the part to keep, named by its time
            text = re.sub(
                r"\b(?:i|we) (?:only |just |really )*care (?:about|for) (?:the |that |this )?"
                r"(?:chunk|part|bit|section|stretch|portion|piece|segment)? ?(?=§)",
                "keep ",
                text,
            )
        # "take 2 seconds off both ends", "knock the last 3 seconds off": a stretch taken away
        if "take" in text or "knock" in text:
            text = re.sub(r"\b(?:take|knock)\s+(§\d+)(?!\s+as\b)", r"cut \1", text)
        # "only in the section from 1:10 to 1:40": the section is the time
        text = re.sub(
            r"\b(?:in |during |for |over )?(?:the |that |this )(?:section|part|bit|stretch|portion|segment) (?=§)", "", text
        )
        # the noise-profile workflow: "take a noise print from A to B", "select the part with only
        # the hum, A to B", "the first 3 s are only room noise" name a reference stretch
        text = NOISE_PRINT.sub(lambda m: f"use {m.group('time')} as a reference", text)
        text = WHERE_ONLY.sub(lambda m: f"{m.group('ref')} for {m.group('t')}", text)
        # "listen at 0:30 to 0:32, that's the fan": a stretch pointed at is where the sound is heard
        for m in re.finditer(r"\blisten(?: (?:to it|to this|at|to|from|between))?\s+§(\d+)", text):
            self.refs[int(m.group(1))].span = True
        text = re.sub(r"\blisten(?: (?:to it|to this|at|to|from|between))?\s+(?=§)", "", text)
        text = SELECT_PART.sub(lambda m: f"use {m.group('time')} as a reference for {m.group('t')}", text)
        text = TIME_IS.sub(lambda m: f"use {m.group('time')} as a reference for {m.group('t')}", text)
        text = TIME_IS_ALONE.sub(lambda m: f"use {m.group('time')} as a reference for {m.group('t')}", text)
        items = []
        sentences = _SENTENCE_END.split(text)
        clauses = [(n, c) for n, sentence in enumerate(sentences) for c in _split(sentence)]
        for i, (n, c) in enumerate(clauses):
            if i == len(clauses) - 1 and i > 0 and clauses[i - 1][0] == n and _is_signature(c, clauses[i - 1][1]):
                break  # "..., cheers, Dave": the name a post is signed with
            it = self.read_clause(c)
            if it is not None:
                before = items[-1] if items else None
                if it.names_time and before is not None and before.op is None and before.target is None and before.times:
                    for t in before.times:  # the bare time just given is where that sound is heard
                        t.span = True
                it.sentence, it.said, it.whole_sentence = n, c, sentences[n]
                it.opens_sentence = i == 0 or clauses[i - 1][0] != n
                it.about_me = it.op is None and bool(_ABOUT_ME.match(c))
                it.also = bool(re.search(r"(?:\btoo|\bas well)\W*$", c))
                it.instead = bool(re.search(r"\b(?:instead|even|still|further)\b", c))  # "... even quieter"
                length = it.op is None and re.search(r"\d", c) and LENGTH_ONLY.fullmatch(c.strip(" ."))
                if length:  # "2 seconds each": a length alone
                    it.length, it.each = float(length.group("n")), bool(length.group("each"))
                elif it.op is None and len(it.times) == 1 and EACH_TAIL.match(re.sub(r"^(?:around|about|for|over) ", "", c.strip(" ."))):
                    ref = it.times[0]  # "around 4 s each"
                    it.length = ref.length if ref.length is not None else ref.a if ref.kind == "point" else None
                    it.each = it.length is not None
                items.append(it)
        return self.combine(items, raw)

    def combine(self, items: list[_Item], raw: str) -> list[dict]:
        out: list[_Item] = []
        pending: list[_Item] = []  # noun phrases waiting for a verb
        pending_times: list[TimeRef] = []  # bare times waiting for a step
        stretch_said = False  # a pending time was said to be a part ("the first 10 seconds are silence")
        for it in items:
            prev = out[-1] if out else None
            if it.named_only and prev is not None and prev.op == "export" and "path" not in prev.fields and "path" in it.fields:
                # "export as flac, name it live_take": the name of that export
                path = it.fields["path"]
                if path.lower() in self.raw.lower():  # a name with its extension says the format too
                    prev.fields.update(it.fields)
                else:  # a bare name takes the export's format
                    prev.fields["path"] = f"{path.rsplit('.', 1)[0]}.{prev.fields['format']}"
                continue
            if (
                (it.op == "separate" and it.pronoun and it.action in ("remove", "isolate") or it.op == "trim")
                and not it.times
                and prev is not None
                and prev.op == "trim"
                and (prev.trim_mode == "remove") == (it.action != "isolate")
                and not pending
                and not any(o.target for o in out)
            ):
                continue  # "anything past 1:40 is junk, chop it": "it" is the stretch just cut
            if it.op is None and it.whole and it.times and not it.target and prev is not None and prev.op == "trim":
                prev.times.extend(it.times)  # "cut everything before 0:05 and everything after 1:50"
                continue
            if (
                it.op == "undo" and prev is not None and prev.op == "undo" and it.count == prev.count == 1
                and it.said != prev.said and not re.search(r"\b(?:[2-9]|\d\d+)\b|\bagain\b|\bmore\b|\btimes\b", it.said + " " + prev.said)
            ):
                continue  # "nah go back, undo that": one undo, said in two ways ("undo, undo" is two)
            if it.op == "normalize" and prev is not None and prev.op == "normalize" and (not prev.explicit_db or prev.fields == it.fields):
                prev.fields, prev.explicit_db = it.fields, it.explicit_db  # "normalize it, target -18 lufs": one
                continue
            if it.unsigned and prev is not None and prev.action == "gain" and (prev.db or 0) < 0:
                it.db = -abs(it.db or 0.0)  # "lower the music by 3 dB and the hiss by 5 dB": both down
            if it.amount_only and prev is not None and prev.action == "gain" and not prev.explicit_db and prev.db:
                prev.db, prev.explicit_db = math.copysign(abs(it.db or 0.0), prev.db), True
                continue  # "lower the music, like 4 dB": that change, by that much
            fades = [o for o in out if o.op == "fade" and o.default_length]
            if it.length and fades and (it.each or fades[-1] is prev):
                # "fade in at the start and out at the end, 2 seconds each": the length of those fades
                for f in fades if it.each else fades[-1:]:
                    f.fields["seconds"], f.default_length = it.length, False
                continue
            if it.op is None and it.target is None and not it.pronoun and not it.whole and it.times and not it.generic:
                # a bare time: it belongs to the step before it, or else to the next one
                if it.stretch:  # "..., the last 5 seconds are dead air, cut them": for the next step only
                    pending_times.extend(it.times)
                    stretch_said = True
                    continue
                last = out[-1] if out else None
                ref = it.times[0]
                if last is not None and last.op == "fade" and last.default_length and len(it.times) == 1:
                    # "add a short fade in at the start, about 2 seconds": the length of that fade
                    length = ref.length if ref.length is not None else ref.a if ref.kind == "point" else None
                    if length:
                        last.fields["seconds"], last.default_length = length, False
                        continue
                if last is not None and last.op in ("separate", "gain", "trim") and not pending:
                    last.times.extend(it.times)
                else:
                    pending_times.extend(it.times)
                continue
            if it.op is None:
                prev = out[-1] if out else None
                if (
                    (it.target or it.generic)
                    and not it.presence
                    and prev is not None
                    and prev.op == "separate"
                    and not pending
                ):
                    if _remark_after(it, prev):
                        continue  # "Remove the dice rolling. Otherwise loving it.": a remark, not a second sound
                    if prev.action == "isolate" and not it.times and not prev.times and it.target:
                        # "keep the voice and the guitar": one isolation of both, not two in a row
                        prev.target = f"{prev.target} and {it.target}"
                        continue
                    # "remove the dog and the traffic": the noun shares the previous verb
                    out.append(
                        _Item(
                            op="separate",
                            action=prev.action,
                            db=prev.db,
                            target=it.target,
                            times=it.times,
                            gentle=prev.gentle,
                            generic=it.generic,
                        )
                    )
                    continue
                if it.target or it.pronoun or it.whole or it.generic:
                    pending.append(it)
                continue
            told_times = bool(pending_times) and it.op == "separate" and not it.times
            if pending_times and it.op in ("separate", "gain", "trim"):
                it.times = pending_times + it.times
                pending_times = []
            if (
                told_times
                and it.pronoun
                and it.action in ("remove", "isolate")
                and not any(p.target or p.generic for p in pending)
                and (stretch_said or (not self._session_target() and not any(o.target for o in out)))
            ):
                # "the first 10 seconds are silence, cut them": "them" is the stretch, named only by its
                # time, when no sound was named to point to (or the stretch was said to be a part)
                out.append(self._stretch(it))
                stretch_said = False
                continue
            named = it.op == "separate" and it.target is not None and not it.pronoun and not it.generic
            if named and not it.also:
                # A command that names its sound after a description of it, or of what happened, is the
                # request; the description was context ("the audio has that hollow echo, remove the
                # echo"; "our guest's laptop fan was spinning, remove the fan noise").
                for p in pending:
                    if p.times and not it.times and _same_sound(p.target, it.target):
                        it.times = p.times  # "there's a cough at 0:35, remove just the cough"
                        it.spans_hint = it.spans_hint or p.spans_hint
                # a noun phrase said in an earlier sentence ("Long time lurker. Can anyone isolate the erhu")
                # or about the user ("I do ASMR, ...") is background, not a second sound for this verb
                pending = [
                    p
                    for p in pending
                    if not _is_context(p)
                    and not _same_sound(p.target, it.target)
                    and p.sentence == it.sentence
                    and not p.about_me
                    and not _WHAT_MINE_DOES.match(p.said)
                ]
                prev = out[-1] if out else None
                if prev is not None and prev.implied and (
                    _same_sound(prev.target, it.target)
                    or _same_sound(prev.over, it.target)  # "I can't hear myself over the music, lower the music"
                    or (it.action == "gain" and prev.action == "gain" and (it.db or 0) * (prev.db or 0) > 0)
                ):
                    out.pop()  # "my guest is much quieter than me, make the guest louder": one change
            elif it.op == "separate" and it.whole and not it.also and out and out[-1].implied and out[-1].whole:
                out.pop()  # "the recording level was too low, raise the volume"
            if it.rest:
                if any(o.op == "separate" and o.action == "isolate" or o.op == "trim" and o.trim_mode == "keep" for o in out):
                    continue  # already implied by keeping only the target
                raise Refusal("say which sound to keep (for example 'keep only the voice')")
            if it.op == "separate" and it.unnamed and not it.times:
                named = next((p for p in reversed(pending) if p.target and not _is_context(p)), None)
                if named is not None:  # "the voice of the woman, more loud please": that voice
                    pending.remove(named)
                    it.target, it.whole, it.times = named.target, False, named.times
                elif it.instead and not out and self._session_target():
                    it.target, it.whole = self._session_target(), False  # "even quieter please": the last edit's sound
            if it.op == "separate" and (
                it.pronoun or (it.target is None and not it.whole and not it.generic)
            ):
                source = next(
                    (p for p in reversed(pending) if (p.target or p.generic) and (it.pronoun or not _is_sentence(p))),
                    None,
                )
                prev = out[-1] if out else None
                if source is None and prev is not None and prev.implied and prev.whole and it.action == "gain":
                    # "the overall mix is too quiet, raise it by 3 dB": one change of the whole mix
                    out.pop()
                    it.whole, it.pronoun = True, False
                    prev = out[-1] if out else None
                if source is None and prev is not None and prev.op == "separate" and prev.target:
                    # "the vocals are buried, bring them up": the explicit verb replaces the implied one;
                    # "them" / "him" / "that sound" after a named sound is that sound, not the mix
                    if prev.implied or it.pronoun_word in ("them", "they", "him", "her", "that sound"):
                        if prev.implied:
                            out.pop()
                        it.target, it.pronoun = prev.target, False
                        it.times = prev.times + it.times
                if source is not None:
                    pending.remove(source)
                    it.target, it.generic = source.target, source.generic
                    it.box = it.box or source.box
                    it.times = source.times + it.times
                    it.spans_hint = it.spans_hint or source.spans_hint
                    it.pronoun = False
                elif it.target is not None:
                    pass
                elif (
                    it.action == "gain"
                    and it.pronoun_word != "that sound"
                    and not ((it.instead or self.amount_feedback) and self._session_target())
                ):
                    it.whole, it.pronoun = True, False
                else:
                    prev = next((o for o in reversed(out) if o.op == "separate" and o.target), None)
                    if prev is None and self.context.last_recipe is not None:
                        last = [s for s in self.context.last_recipe.steps if s.op == "separate" and s.target]
                        if last:
                            it.target = last[-1].target
                    elif prev is not None:
                        it.target = prev.target
                    if it.target is None and it.fallback:
                        it.target, it.pronoun = it.fallback, False
                    if it.target is None:
                        verb = {"remove": "remove", "isolate": "keep"}.get(it.action or "", "change")
                        raise Refusal(f"say what to {verb} (for example '{verb} the wind'). " + HELP + ".")
            if it.op == "separate" and pending:
                for p in pending:  # "make the vocals and the guitar louder"; complaints are removals
                    if _is_sentence(p):
                        continue  # "the built-in mic recorded very quietly, add 15 dB": what happened
                    if p.sentence != it.sentence and not p.presence:
                        continue  # "Podcaster here, small show. ... make it quieter": who is asking, not a sound
                    if p.presence:
                        out.append(_Item(op="separate", action="remove", target=p.target, times=p.times))
                    elif p.target:
                        out.append(
                            _Item(op="separate", action=it.action, db=it.db, target=p.target, times=p.times)
                        )
                pending = []
            out.append(it)
        for p in pending:
            if p.presence and any(o.op == "separate" and _same_sound(o.target, p.target) for o in out):
                continue  # "remove the hum, it's a 60 Hz hum from the lights": the same sound, described
            if (p.presence or p.found) and p.target:
                action = "remove" if p.presence else "isolate"
                out.append(
                    _Item(
                        op="separate", action=action, target=p.target, times=p.times, spans_hint=p.spans_hint
                    )
                )
            elif p.times and p.target and not _is_context(p):
                # "frobnicate the first 3 seconds, then fade out": a stretch no verb took is a request
                # not understood, never dropped silently
                raise Refusal(f"say what to do with '{p.target}' at {p.times[0].text}. " + HELP + ".")
            elif not out:
                what = p.target or ""
                if not what or NONTARGET.search(what) or len(what.split()) > 5:
                    raise Refusal(f"'{raw.strip()}' is not an audio edit. " + HELP + ".")
                raise Refusal(
                    f"say what to do with '{what}' (remove it, keep only it, make it louder or quieter)"
                )
        if pending_times and out and out[-1].op in ("separate", "gain", "trim"):
            out[-1].times.extend(pending_times)
        elif pending_times:
            raise Refusal(f"say what to do at {pending_times[0].text}. " + HELP + ".")
        if not out:
            raise Refusal(f"I found no audio edit in '{raw.strip()}'. " + HELP + ".")
        if any(not o.keeps_rest for o in out):
            # "remove the hum and leave the rest", "cut the first 10 s, leave the rest": the other edits
            # keep the rest already; "leave the rest" alone is still read as said
            out = [o for o in out if not o.keeps_rest]
        session = self._session_target()
        for it in out:
            if session and it.target and session != it.target and session.endswith(f" {it.target}") and re.search(
                rf"\b(?:that|this|the same|those|these) {re.escape(it.target)}\b", raw.lower()
            ):
                it.target = session  # "that whistle still bugs me" after an edit on the steam whistle: that one
        steps: list[dict] = []
        for it in out:
            for step in self.to_steps(it):
                if steps and step == steps[-1] and step["op"] in ("separate", "reset"):
                    continue  # "an acapella of this song, just the vocals": said twice, done once
                steps.append(step)
        return _merge_fingerprints(steps)

    def _cut_edge(self, m: re.Match) -> str:
        """ "the first 20 seconds are just setup, cut them": a stretch at an edge of the file said to be
        something, then cut as "them" (the seconds) or as "it" when it was "everything before T",
        is trimmed away; "the first 3 s are only the hum, remove it" keeps its sound."""
        ref = self.refs[int(m.group("n"))]
        plural = m.group("pro") in ("them", "those", "these")
        if ref.kind not in ("first", "last", "before", "after") or not (plural or m.group("all")):
            return m.group(0)
        return f"cut §{m.group('n')}"

    def _stretch(self, it: _Item) -> _Item:
        """A remove- or keep-verb whose object is only a stretch of time: trim it (or mute it)."""
        if it.action == "isolate":
            return _Item(op="trim", times=it.times, trim_mode="keep")
        if it.mute:
            return _Item(op="gain", db=MUTE_DB, times=it.times, whole=True)
        return _Item(op="trim", times=it.times, trim_mode="remove")

    def _session_target(self) -> str | None:
        last = self.context.last_recipe
        targets = [s.target for s in (last.steps if last else []) if s.op == "separate" and s.target]
        return targets[-1] if targets else None

    # -- items to steps -----------------------------------------------------------------------

    def _intervals(self, refs: list[TimeRef]) -> list[tuple[float, float]]:
        kept = [iv for ref in refs if not ref.exclude for iv in ref.intervals(self.duration)]
        return kept + self._complement([ref for ref in refs if ref.exclude])

    def _complement(self, refs: list[TimeRef]) -> list[tuple[float, float]]:
        """The parts of [0, duration] outside ``refs`` ("everywhere except 0:10-0:20")."""
        if not refs:
            return []
        if self.duration is None:
            raise Refusal(
                f"'except {refs[0].text}' needs the length of the input, which is unknown here (give --duration)"
            )
        out, start = [], 0.0
        for a, b in sorted(ref.resolve(self.duration) for ref in refs):
            if a > start:
                out.append((start, a))
            start = max(start, b)
        if start < self.duration:
            out.append((start, self.duration))
        if not out:
            raise Refusal("nothing is left once the excepted times are taken out")
        return out

    def to_steps(self, it: _Item) -> list[dict]:
        if it.op in ("undo", "reset"):
            return [{"op": it.op} for _ in range(it.count)]
        if it.op in ("normalize", "export"):
            return [{"op": it.op, **it.fields}]
        if it.op == "fade":
            seconds = it.fields["seconds"]
            if self.duration is not None and seconds > self.duration:
                raise Refusal(f"a {seconds:g} s fade is longer than the audio ({self.duration:.2f} s)")
            return [{"op": "fade", **it.fields}]
        if it.op == "trim":
            return [self._trim(it)]
        if it.op == "gain" or (it.op == "separate" and it.whole and it.action == "gain"):
            db = it.db if it.db is not None else -DEFAULT_DB
            self._check_db(db)
            step: dict = {"op": "gain", "db": db}
            if it.times:
                step["range"] = self._intervals(it.times)
            return [step]
        # separate
        if (it.whole or not it.target) and it.box is None and not it.generic:
            raise Refusal(
                f"say which sound to {'remove' if it.action == 'remove' else 'keep'} (for example 'the wind')"
            )
        if it.target and NONAUDIO.fullmatch(it.target.split()[-1]):  # "the files" ("hard drive clicking" is a sound)
            raise Refusal(
                f"'{it.target}' is not a sound in the recording; I only edit the audio, never files or the system"
            )
        step = {"op": "separate", "action": it.action}
        if it.target:
            step["target"] = it.target
        if it.box is not None:  # the runner fills in the input video
            step["mask"] = {"box": list(it.box)}
        prefs = self.context.preferences
        if it.action == "remove" and (
            it.gentle or str(prefs.get("removal", "")).lower() in ("gentle", "soft")
        ):
            step["action"], step["db"] = "gain", float(prefs.get("gentle_db", GENTLE_DB))
        elif it.action == "gain":
            self._check_db(it.db)
            step["db"] = it.db
        spans, ranges = [], self._complement([ref for ref in it.times if ref.exclude])
        for ref in (ref for ref in it.times if not ref.exclude):
            # "at" marks a span prompt (where the target is clear), except on a level change,
            # where "boost the guitar at 1:00-1:10" says where to change it.
            at = ref.prep in ("at", "around") or ref.kind == "point"
            as_span = ref.span or ((it.spans_hint or (at and it.action != "gain")) and ref.prep != "only")
            as_span = as_span and (ref.kind in ("range", "point") or (ref.reference and ref.kind in ("first", "last")))
            (spans if as_span else ranges).extend(ref.intervals(self.duration))
        if spans:
            step["spans"] = spans
        if ranges:
            step["range"] = ranges
        return [step]

    def _check_db(self, db: float | None) -> None:
        if db is not None and abs(db) > MAX_DB:
            raise Refusal(f"{abs(db):g} dB is more than the ±{MAX_DB:g} dB a step may change; ask for less")

    def _trim(self, it: _Item) -> dict:
        if not it.times:
            raise Refusal("say what to trim (for example 'cut the first 5 seconds' or 'trim to 0:10-0:40')")
        kinds = sorted(r.kind for r in it.times)
        heads, tails = ("first", "before"), ("last", "after")
        if len(it.times) == 2 and {*kinds} & {*heads} and {*kinds} & {*tails} and it.trim_mode == "remove":
            # "cut the first 10 seconds and the last 5 seconds", "cut everything before 0:07 and after 1:35"
            first = next(r for r in it.times if r.kind in heads)
            last = next(r for r in it.times if r.kind in tails)
            return {"op": "trim", "start": first.resolve(self.duration)[1], "end": last.resolve(self.duration)[0]}
        if len(it.times) > 1:
            raise Refusal("trim keeps one contiguous part; give one stretch at a time")
        ref = it.times[0]
        d = self.duration
        if ref.kind == "ends":  # "trim the first and last 2 seconds"
            (_, a), (b, _) = ref.intervals(d)
            if it.trim_mode == "keep":
                raise Refusal("trim keeps one contiguous part; say which part to keep")
            return {"op": "trim", "start": a, "end": b}
        if it.trim_mode == "keep":
            if ref.kind == "last":
                a, _ = ref.resolve(d)
                return {"op": "trim", "start": a}
            if ref.kind == "after":
                return {"op": "trim", "start": ref.a}
            a, b = ref.resolve(d)
            return {"op": "trim", "start": a, "end": b}
        # remove these parts
        if ref.kind in ("first", "before"):
            return {"op": "trim", "start": ref.resolve(d)[1]}
        if ref.kind == "after":
            return {"op": "trim", "start": 0.0, "end": ref.a}
        if ref.kind == "last":
            a, _ = ref.resolve(d)
            return {"op": "trim", "start": 0.0, "end": a}
        a, b = ref.resolve(d)
        if a <= 0:
            return {"op": "trim", "start": b}
        if d is not None and b >= d - 0.05:
            return {"op": "trim", "start": 0.0, "end": a}
        if d is None:
            raise Refusal(
                f"'{ref.text}' may reach the end of the input, whose length is unknown here (give --duration)"
            )
        raise Refusal(
            f"cutting {a:g}-{b:g} s out of the middle is not supported: trim keeps one contiguous part "
            "(say which part to keep, or mute that stretch)"
        )


#: Preferences stated in an instruction, as PlanContext.preferences keys (one parser, shared
#: with session memory: see :mod:`agent.preferences`).
extract_preferences = parse_preference


class _Noted(Exception):
    """The instruction states a preference and asks for no edit now."""

    def __init__(self, preferences: dict):
        super().__init__("preferences")
        self.preferences = preferences


class RulesPlanner:
    """The embedded planner: deterministic rules, no model, no network (see the module docstring)."""

    name = "rules"

    def plan(
        self, instruction: str, *, duration: float | None = None, context: PlanContext | None = None
    ) -> Recipe:
        if save_request(instruction) is not None:  # the agent saves recipes; a bare plan cannot
            return Recipe(
                steps=[],
                reply="Saving a recipe is about a session's edits: say it in `samaudio chat` after making "
                "them. Nothing was changed.",
            )
        reader = _Reader(duration, context or PlanContext())
        try:
            steps = reader.read(instruction)
            recipe = parse_recipe({"version": 1, "steps": steps})
            if duration is not None:
                recipe.check_against(duration)
        except (Refusal, RecipeError) as exc:
            return Recipe(steps=[], error=str(exc))
        except _Noted as noted:
            said = ", ".join(f"{k} = {v}" for k, v in noted.preferences.items())
            return Recipe(steps=[], reply=f"Noted for later: {said}. Nothing was changed now.")
        except SamaudioError as exc:  # a time that cannot be resolved (reversed, needs the duration)
            return Recipe(steps=[], error=str(exc))
        return recipe


def _is_signature(clause: str, before: str) -> bool:
    """A name a post is signed with: one or two words closing it, right after a sign-off
    ("cheers, Dave", "thanks! - Priya K")."""
    words = clause.strip(" .!-").split()
    if not 1 <= len(words) <= 2 or "§" in clause or words[0] in ("the", "a", "an", "my", "our", "this", "that", "and"):
        return False  # (a name has no determiner: "thanks, the dog" names a sound)
    if any(p.search(clause) for p in (VERB, FADE, EXPORT_VERB, NORMALIZE, UNDO, RESET, FORMAT)):
        return False  # "thanks, export it": a request, however short
    return bool(SOCIAL.match(LEAD_CLAUSE.sub("", before).strip(" .!")))


#: words of a clause about the user or the app, never of a sound's name ("the couple wants the audio",
#: "i'd still like to hear them", "would pay for pro if this works")
_REMARK_WORDS = re.compile(
    r"(?:^|\s)(?:i|we|you|i'?d|i'?m|we'?re|i'?ll|would|will|wants?|works?|worked|loving|loves?|loved|likes?|liked|enjoys?|"
    r"is|are|was|were|if|otherwise|great|fine|amazing|awesome|app|apps|update|version|review|rating|stars?)(?=\s|$)"
)


def _remark_after(it: _Item, prev: _Item) -> bool:
    """A bare noun phrase after a command shares its verb ("remove the dog and the traffic"), but not
    when it is a remark: words of a sentence of its own, or a later sentence it does not open
    ("I'm on the Android version, latest update.")."""
    if it.about_me or (it.target and _REMARK_WORDS.search(it.target)):
        return True
    if re.match(r"(?:the|that|those) ones?\b", it.said.strip()):
        return True  # "remove the birds, the ones chirping": the same sound, described
    # (a relative clause names the sound; "also" splits "My cat also loves the app" in two)
    said = re.sub(r"\b(?:that|which|who) (?:is|are|was|were)\b", " ", it.whole_sentence)
    if it.sentence != prev.sentence and _REMARK_WORDS.search(said):
        return True  # "... Battery life on the app is great by the way."
    return it.sentence != prev.sentence and not it.opens_sentence


def _is_sentence(item: _Item) -> bool:
    """A noun phrase that is really a sentence of what happened ("the built-in mic recorded quietly")."""
    words = (item.target or "").split()
    if item.presence or item.described:
        return False
    return len(words) >= 4 or any(re.fullmatch(r"\w{3,}(?<!e)ed", w) for w in words)


def _is_context(item: _Item) -> bool:
    """A clause waiting for a verb that is context, not a sound to act on: a complaint or
    description ("there's a hum", "the snare sounds thin"), or a sentence of what happened
    ("our guest's laptop fan was spinning", "the lav mic rubbed on his shirt"). A bare noun
    phrase ("make the vocals and the guitar louder") still takes the next verb."""
    if item.presence or item.described or item.found or not item.target:
        return True
    words = item.target.split()
    # ("voice of the woman" is a noun phrase: its small words do not make it a sentence)
    content = [w for w in words if w not in _SMALL_WORDS]
    return len(content) >= 4 or any(re.fullmatch(r"\w{3,}(?<!e)ed", w) for w in words)


_SMALL_WORDS = {"of", "the", "a", "an", "and", "my", "our", "his", "her", "their", "in", "on", "with", "from"}


_GENERIC_WORDS = {"noise", "noises", "sound", "sounds", "background", "audio", "the", "a", "an", "my"}


def _same_sound(a: str | None, b: str | None) -> bool:
    """Whether two target phrases name the same sound: a content word in common ("hollow
    auditorium echo" and "echo", "dogs bark" and "barking"), "noise" and "sound" not counting."""

    def stems(t: str) -> set[str]:
        out = set()
        for w in re.findall(r"[a-z0-9]+", t.lower()):
            if w in _GENERIC_WORDS or len(w) < 3:
                continue
            w = re.sub(r"(?:ing|s)$", "", w) if len(w) > 4 else w
            out.add(w)
        return out

    return bool(a and b and stems(a) & stems(b))


def _merge_fingerprints(steps: list[dict]) -> list[dict]:
    """Fold "the bird at 0:12-0:14, find it everywhere, and remove it" into one step.

    The first clause alone reads as "isolate the bird (spans 12-14)"; when the very next step
    acts on the same target without spans of its own, the spans are its fingerprint.
    """
    merged: list[dict] = []
    for step in steps:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and step.get("op") == "separate"
            and prev.get("op") == "separate"
            and prev.get("action") == "isolate"
            and prev.get("spans")
            and not step.get("spans")
            and prev.get("target") == step.get("target")
            and not prev.get("range")
        ):
            merged[-1] = {**step, "spans": prev["spans"]}
            continue
        merged.append(step)
    return merged


def plan(instruction: str, duration: float | None = None, context: PlanContext | None = None) -> Recipe:
    """Shortcut: ``RulesPlanner().plan(...)``."""
    return RulesPlanner().plan(instruction, duration=duration, context=context)
