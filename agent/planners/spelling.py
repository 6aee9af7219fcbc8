"""Typing slips put right before an instruction is read ("remvoe teh hum", "mkae it quiter").

A word is respelt only when it is neither an English word (pyspellchecker's frequency list,
MIT) nor a word of this domain (the ontology's sound names, the planner's verbs, formats,
units and audio jargon), and one correction is clearly best:

- candidates are the known words one edit away (a swap of two neighbours counts as one; a
  three-letter word only to another three-letter word: "wma" is not "ma"), else, for a word
  of five letters or more, domain words spelt much alike (difflib ratio >= 0.8: "nromalzie") —
  short words have too many neighbours two edits away to guess from, and generating every
  English word two edits away takes a second;
- one of the commonest English words (:data:`COMMON`) among them wins ("frm" -> from, not
  farm), if it leads the other common ones clearly; else a domain word wins when it is the
  only domain word ("quiter" -> quieter, not quitter); otherwise the commonest English word
  wins only when it is at least :data:`CLEAR_LEAD` times as common as the next.

Where a word stands settles more (round 5, :func:`_respelt_by_place`, tried first):

- before its object ("tae the clapping out", "pll out the bassline") a word is a verb's place:
  an uncommon word there is respelt to the one command verb a keyboard slip away;
- a word rarer than :data:`_RARE_SLIP` (the list's odd entries: "ony", "hera", "juts", "lats")
  one slip from an :data:`INSTRUCTION_WORDS` word is that word. A slip is a dropped, doubled or
  swapped letter, or a key next to the right one ("ony" is only, not one);
- right after "the"/"my" stands a name the user chose ("the oud" is not "the out"), and so does
  the word after it ("the leaf blower" is not "lower"); only "first/last/whole ..." are read there;
- real-word slips that only their neighbours give away are a short table (:data:`_CONTEXT_SLIPS`:
  "you can her", "form the", "get ride of", "by for dB", "thee's");
- a word stretched for emphasis is put back ("booost" -> boost, "sooo" -> so), never respelt.

A slip that makes another real word ("lover the music", "rim the end") is otherwise read only
where a verb must be: :func:`fix_opening_verb` respells the opening word of a clause the planner
found no verb in.

Slips the word list cannot settle are a small table (:data:`KNOWN_SLIPS`): two-letter ones
("fo", "ot"), a slip that makes a rarer word ("pleas") and one with no clear winner ("minuts").

Anything else is left as typed: a sound name the dictionary does not know ("vuvuzela") is a
prompt for the separator, not a typo. Digits, times, paths, words with capitals inside
("iPhone") and words of one or two letters are never touched.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

#: the commonest candidate must be this many times as frequent as the runner-up to be chosen
CLEAR_LEAD = 5.0
#: a correction that is neither common nor a domain word must be at least this common
RARE = 2e-6
#: words at least this common (about the 150 commonest: from, that, what, just, want ...) are
#: preferred to any other candidate
COMMON = 1e-3

#: audio words and chat shorthand the English list lacks (they are never "corrected")
JARGON = (
    "lufs dbfs db dB hz khz mp3 wav flac ogg m4a aac mp4 eq eqs reverb dereverb denoise denoised "
    "declick declip decrackle dehum normalise normalize normalized loudness podcast podcasts vlog "
    "vlogs vlogger youtube tiktok mic mics lav lavalier sfx vox synth synths hihat hi-hat aircon "
    "hvac sibilance plosives plz pls thx u ur pls dont cant wont isnt doesnt didnt im ive thats "
    "theres whats youre lemme gimme gonna wanna kinda sorta intro outro bassline basslines acapella "
    "cappella spotify soundcloud bandcamp youtube tiktok instagram twitch audacity davinci garageband "
    "ableton wma aiff aif opus alac webm mkv mov avi "
    # forum words (round 3): interjections, shorthand, the tools users name
    "omg wtf lol geez jeez argh ugh hmm meh welp gah asap noob newbie kbps kdenlive shotcut openshot ffmpeg sox "
    "obs descript capcut ocenaudio wavepad goldwave izotope fcpx imovie flowblade lil eww yuck zap nix"
    # round 4: chat shorthand for discourse ("btw", "tbh") and the editor's undo key
    " btw tbh fwiw imo imho idk ctrl cmd"
    # round 6: keyboard instruments a slip away from others ("clavinet" is not "clarinet"), a stream's "vod"
    " clavinet mellotron wurlitzer vod vods"
    # chat openers the planner drops ("bruh the fan ..." is not "brush the fan")
    " bruh bro deadass"
    # round 5: interjections the list would respell ("bleh" is not "blew")
    " bleh blah nah nope yep yup welp oof"
    # thanks in other languages, which close forum posts ("merci" is not "mercy")
    " merci beaucoup gracias obrigado obrigada danke grazie mille arigato"
)

_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def keyboard_neighbours(key: str) -> str:
    """The keys around ``key`` on a QWERTY keyboard (same row either side, the rows above and below)."""
    for r, row in enumerate(_KEY_ROWS):
        i = row.find(key)
        if i >= 0:
            near = row[max(0, i - 1) : i + 2]
            for other in _KEY_ROWS[max(0, r - 1) : r] + _KEY_ROWS[r + 1 : r + 2]:
                near += other[max(0, i - 1) : i + 2]
            return near
    return ""


#: the words an instruction uses around a sound name (verbs, prepositions, time and amount words).
#: A slip of one of them often makes a word so rare that the English list's rare entries ("ony",
#: "kil", "juts", "lats", "hera", "brig") hide it; such a word is respelt to the one instruction
#: word one edit away. Never a noun that names a sound: those are the user's prompt.
INSTRUCTION_WORDS = frozenset(
    """remove take get make turn bring push pull keep cut trim chop kill strip isolate extract lower raise
    boost reduce fade normalize export save give want need hear hate mute silence drop lose clean leave solo
    duck undo reset revert restore listen find use play delete erase ditch suppress filter amplify
    the from only just there that what this with without between during until after before then and also
    about around over under into out off down up all every everything else whole entire first last much more
    less louder quieter softer enough well please seconds second minutes minute audible example reference
    part little file dash through sound
    one two three four five six seven eight nine ten twenty thirty forty fifty sixty half quarter""".split()
)
#: words directly after a verb: a non-word before one of them is a verb ("tae the", "pll out", "male it")
_OBJECT_NEXT = re.compile(
    r"(?i)\s+(?:the|a|an|my|this|that|these|those|it|them|everything|all|out|down|up|off|back)\b"
)
_COMMAND_VERBS = (
    "remove take get make turn bring push pull keep cut trim chop kill strip isolate extract lower raise boost "
    "reduce fade normalize export save give need hear duck mute drop lose clean solo delete erase ditch"
).split()
#: a word this common is left alone even before an object: a verb of its own ("shave the final 4 seconds",
#: "crop the clip" are not "save", "drop"), or no verb at all ("is the", "of the")
_VERB_SLOT_MAX_FREQ = 1e-6
#: rare enough to be a slip when an instruction word is one edit away ("hera" 2e-7, "juts" 7e-8; not
#: "blower" 5e-7, which a leaf blower is)
_RARE_SLIP = 3e-7
#: instruction words that stand after "the": the place where a sound's name usually stands
_AFTER_THE = ("first", "last", "whole", "entire", "final", "beginning", "start", "end")
_DETERMINER = r"(?i)\b(?:the|a|an|my|our|your|his|her|their|this|that|some)\s+"
_DETERMINER_BEFORE = re.compile(_DETERMINER + "$")
#: one word after a determiner: the second word of a sound's name ("the lawn mower", "a leaf blower")
_NAME_SECOND_WORD = re.compile(_DETERMINER + r"[a-z-]+\s+$")
#: real-word slips that only their neighbours give away (both readings are English words)
_CONTEXT_SLIPS = (
    (re.compile(r"(?i)\b(you|i|we) (can|could)( clearly| barely| still| also| only)? her\b"), r"\1 \2\3 hear"),
    (re.compile(r"(?i)\bform (?=(?:the|this|that|my|a|an|\d|there|here)\b)"), "from "),
    (re.compile(r"(?i)\bride of\b"), "rid of"),
    (re.compile(r"(?i)\bfor (?=(?:db|decibels?)\b)"), "four "),
    (re.compile(r"(?i)\b(the|cut|trim|lose|drop|remove) fist\b"), r"\1 first"),
    (re.compile(r"(?i)\b(?:thee|thete|theer|tere|thre)(?=['\u2019]s\b| is\b| are\b)"), "there"),
    # "way to quiet", "is to loud": "to" before a level adjective after a copula or an intensifier is "too"
    (
        re.compile(
            r"(?i)\b(is|are|was|were|'s|'re|way|far|much|bit|little|slightly|just|still|kinda|so|really) to "
            r"(?=(?:loud|quiet|soft|low|faint|weak|strong|high|hot|much|prominent|harsh|bright|boomy)\b)"
        ),
        r"\1 too ",
    ),
    # chat shorthand "r" for "are" between a noun and what it is said to be ("the first 9 secs r just me")
    (re.compile(r"(?i)(?<=\w) r (?=(?:just|only|too|so|way|all|a|an|the|really|very|not|me|us|\w+ing)\b)"), " are "),
)


#: slips the word list cannot settle (see the module docstring), respelt as they are
KNOWN_SLIPS = {
    "th": "the", "fo": "of", "ot": "to", "pleas": "please", "minuts": "minutes",
    # chat spellings of the modals ("the fan shud go"), which the word list would respell as nouns
    "shud": "should", "shld": "should", "wud": "would", "cld": "could",
    # chat contractions without the apostrophe, which the word list would respell as "there", "your"
    "theyre": "they're", "youre": "you're",
}  # fmt: skip
_KNOWN_SLIP = re.compile(r"\b(" + "|".join(KNOWN_SLIPS) + r")\b", re.IGNORECASE)

#: British spellings are words, not slips: "neighbour" is left as typed
_BRITISH = (
    (r"our$", "or"),
    (r"ours$", "ors"),  # "neighbours", "colours"
    (r"ise$", "ize"),
    (r"ised$", "ized"),
    (r"ising$", "izing"),
    (r"re$", "er"),
    (r"yse$", "yze"),
)


@lru_cache(maxsize=1)
def _domain_words() -> frozenset[str]:
    from samaudio_core.builtin.ontology import KINDS
    from tools.recipe import EXPORT_FORMATS

    from .vocabulary import DOWN, ISOLATE, REMOVE, TYPO_VERBS, UP

    words = set(JARGON.lower().split()) | set(EXPORT_FORMATS) | set(TYPO_VERBS)
    # every verb the planner reads is spelt as meant ("tame the hum" is not "take")
    words.update(re.findall(r"(?<![\\?])\b[a-z]{3,}\b", " ".join((REMOVE, ISOLATE, UP, DOWN))))
    for kind in KINDS:
        for phrase in kind.keywords:
            words.update(re.findall(r"[a-z]+", phrase.lower()))
    return frozenset(w for w in words if len(w) > 2)


@lru_cache(maxsize=1)
def _domain_list() -> list[str]:
    return sorted(_domain_words())  # difflib's candidates, in a stable order


@lru_cache(maxsize=1)
def _checker():
    """pyspellchecker's English checker, from a pickle under ``$SAMAUDIO_HOME/cache`` when there.

    Building it parses the library's 160,000-word list (about 0.45 s, most of what planning 100
    instructions costs); the pickle loads in about 0.06 s. It is keyed by the library's version and
    rebuilt when missing, unreadable or unwritable (then simply not cached)."""
    import pickle

    import spellchecker

    from samaudio_core.atomic import atomic_path

    from ..home import samaudio_home

    cache = samaudio_home() / "cache" / f"spelling-en-{spellchecker.__version__}.pickle"
    try:
        with open(cache, "rb") as fh:
            checker = pickle.load(fh)
        if isinstance(checker, spellchecker.SpellChecker):
            return checker
    except Exception:  # absent, torn or from another Python: build it again
        pass
    checker = spellchecker.SpellChecker(language="en", distance=1)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(cache) as tmp, open(tmp, "wb") as fh:
            pickle.dump(checker, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:  # a read-only home: plan without the cache
        pass
    return checker


def _lead(checker, words: list[str]) -> str | None:
    """The commonest of ``words`` when it is :data:`CLEAR_LEAD` times as common as the next."""
    ranked = sorted(words, key=checker.word_usage_frequency, reverse=True)
    if len(ranked) == 1:
        return ranked[0]
    first, second = (checker.word_usage_frequency(w) for w in ranked[:2])
    return ranked[0] if first >= CLEAR_LEAD * second else None


def _best(word: str) -> str | None:
    """The one clearly right spelling of an unknown ``word``, or None to leave it."""
    checker = _checker()
    one_off = checker.edit_distance_1(word)
    near = checker.known(one_off) | (set(one_off) & _domain_words())
    if len(word) == 3:  # "wma" is not "ma": a three-letter word never loses a letter
        near = {w for w in near if len(w) >= 3}
    if not near and len(word) >= 5:
        near = set(difflib.get_close_matches(word, _domain_list(), n=3, cutoff=0.8))
    if not near:
        return None
    common = [w for w in near if checker.word_usage_frequency(w) >= COMMON]
    if common:  # "frm" is from, not farm: the words every sentence uses come first
        return _lead(checker, common)
    domain = [w for w in near if w in _domain_words()]
    if domain:  # "quiter" is quieter, not quitter; two domain words one slip away is a guess
        return domain[0] if len(domain) == 1 else None
    best = _lead(checker, list(near))
    # a rare English word is a worse guess than an unusual name typed right ("theremin" is not
    # "therein"): only a word at least as common as everyday vocabulary replaces a non-word
    return best if best and checker.word_usage_frequency(best) >= RARE else None


# (the stem of a contraction is no slip: "aren't" is not "are't", "isn't" not "is't")
_WORD = re.compile(r"(?<![\w/\\.~-])[A-Za-z]{3,}(?![\w/\\.~-])(?!['\u2019](?:t|re|ve|ll|d|m)\b)")


def _typed_nearby(word: str, meant: str) -> bool:
    """Whether ``word`` is a keyboard slip of ``meant`` (same length: the one changed letter is a key next
    to the right one; "ony" is "only" with a letter dropped, not "one" with e hit as y)."""
    if len(word) != len(meant):
        return True  # a letter dropped or doubled, from any key
    diff = [(a, b) for a, b in zip(word, meant) if a != b]
    if len(diff) != 1:
        return True  # two neighbours swapped
    typed, right = diff[0]
    return typed in keyboard_neighbours(right)


def _unstretched(word: str) -> str | None:
    """A word stretched for emphasis put back ("booost" -> boost, "sooo" -> so), or None."""
    checker = _checker()
    forms = {re.sub(r"(\w)\1{2,}", r"\1\1", word), re.sub(r"(\w)\1{2,}", r"\1", word)}
    known = [w for w in forms if w in checker or w in _domain_words()]
    return max(known, key=checker.word_usage_frequency) if known else None


def _instruction_word(word: str, choices) -> str | None:
    """The one word of ``choices`` one slip from ``word`` (the commonest, if it leads clearly)."""
    checker = _checker()
    near = [
        w for w in set(checker.edit_distance_1(word)) & set(choices) if len(w) >= 3 and _typed_nearby(word, w)
    ]
    return _lead(checker, near) if near else None


def fix_typos(text: str) -> str:
    """``text`` with clear typing slips respelt (see the module docstring); else unchanged."""
    domain = _domain_words()
    for pattern, said in _CONTEXT_SLIPS:
        text = pattern.sub(said, text)

    def fix(m: re.Match) -> str:
        word = m.group(0)
        lower = word.lower()
        if lower in domain or lower in INSTRUCTION_WORDS or (word[1:] != word[1:].lower()):
            return word  # "iPhone", "NASA": names, not slips
        if re.search(r"(\w)\1\1", lower):  # "sooo", "booost": stretched for emphasis, not slipped
            said = _unstretched(lower)
            return (said.capitalize() if word[0].isupper() else said) if said else word
        checker = _checker()
        said = _respelt_by_place(m, lower, checker)
        if said:
            return said.capitalize() if word[0].isupper() else said
        if lower in checker or any(
            re.search(end, lower) and re.sub(end, us, lower) in checker for end, us in _BRITISH
        ):
            return word
        best = _best(lower)
        if best is None:
            return word
        if best not in domain and _names_a_sound(m) and not _typed_nearby(lower, best):
            # "the kaval", "the milk frother": a name the list lacks, not "naval", "brother" (k is
            # nowhere near n on a keyboard: no slip makes it)
            return word
        return best.capitalize() if word[0].isupper() else best

    def known_slip(m: re.Match) -> str:
        said = KNOWN_SLIPS[m.group(1).lower()]
        return said.capitalize() if m.group(1)[0].isupper() else said

    return _WORD.sub(fix, _KNOWN_SLIP.sub(known_slip, text))


def _names_a_sound(m: re.Match) -> bool:
    """Whether the word stands where a sound's name does: right after "the"/"my", or the word after that
    (there an unknown word is a name the user chose, respelt only to a sound or instruction word)."""
    before = m.string[: m.start()]
    return bool(_DETERMINER_BEFORE.search(before) or _NAME_SECOND_WORD.search(before))


def _respelt_by_place(m: re.Match, lower: str, checker) -> str | None:
    """A slip read from where the word stands: a verb's place before its object ("tae the clapping out",
    "male the hi-hats softer"), or a rare word one edit from an instruction word ("ony", "hera", "juts").
    A word right after "the"/"my" is a noun the user named ("the oud"): never respelt here; the word
    after that only when the list has never seen it ("the hum ony", but "the lawn mower")."""
    before, after = m.string[: m.start()], m.string[m.end() :]
    freq = checker.word_usage_frequency(lower)
    if _DETERMINER_BEFORE.search(before):  # "trim the lats 8"; but "the oud" is not "the out"
        return _instruction_word(lower, _AFTER_THE) if freq < _RARE_SLIP else None
    if freq and _NAME_SECOND_WORD.search(before):  # "the leaf blower up 3 dB": a name, not "lower"
        return None
    if _OBJECT_NEXT.match(after) and freq < _VERB_SLOT_MAX_FREQ:
        verb = _instruction_word(lower, _COMMAND_VERBS)
        if verb and not re.fullmatch(re.escape(verb) + r"(?:s|es|d|ed|ing)", lower):  # "cuts off" is a verb
            return verb
    if freq < _RARE_SLIP:
        return _instruction_word(lower, INSTRUCTION_WORDS)
    return None


def fix_opening_verb(clause: str) -> str:
    """Respell a misspelt verb that opens a clause with no verb ("lover the music", "please isloate ...").

    Only the opening word is tried (after "please", "can you" ...): a later word is more often a
    noun that merely looks like a verb ("the rest" is not "reset").
    """
    from .vocabulary import TYPO_VERBS

    words = clause.split(" ")
    opening = re.match(r"(?:(?:please|pls|can you|could you|would you|now|just|then) )*", clause)
    i = len(opening.group(0).split()) if opening else 0
    if i < len(words) and len(words[i]) >= 4 and words[i].isalpha():
        close = difflib.get_close_matches(words[i], TYPO_VERBS, n=1, cutoff=0.75)
        if close and close[0] != words[i]:
            return " ".join([*words[:i], close[0], *words[i + 1 :]])
    return clause
