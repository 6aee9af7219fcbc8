"""Whole-sentence request shapes, said back as the plain command they mean before the planner reads them.

People ask for one edit in many shapes ("I want the hiss and nothing else", "make the hum disappear",
"give the vocals 3 dB more"). ``benchmarks/bench_paraphrase.py`` says one request about 40 sounds
in 103 everyday shapes (lists written from how people phrase requests, not from the planner's
misses); the shapes below are the ones it found the planner not reading, each a sentence form
with the sound's words in one slot, rewritten to the command the rules already read. A shape
matches only the whole instruction (or clause), so a longer sentence keeps its own reading.
"""

from __future__ import annotations

import re

from .vocabulary import RESET, UNDO

_X = r"(?P<x>(?:the|my|this|that|these|those|all the) [^,;.!?§]+?)"
_END = r"\s*(?:please|pls|thanks|thx)?\s*[.!]*$"
#: a time as the normaliser leaves it: "0:12", "1:05.5", "12 seconds", "12s"
_T = r"(?:\d+:\d{2}(?:\.\d+)?|\d+(?:\.\d+)? ?(?:s|secs?|seconds?)\b|(?:the )?\d+(?:\.\d+)? ?(?:s|secs?|seconds?) mark)"
_CLIP = r"(?:it|this|the (?:clip|file|track|audio|recording|song|take|video|episode|whole thing))"
_FORMAT = r"(?P<f>wav|flac|mp3|ogg)"

#: (shape, the command it means); ``\g<x>`` is the sound's words as the user wrote them
SHAPES = (
    # keep-only: "I want the hiss and nothing else", "just the drums, nothing more"
    (re.compile(rf"^(?:(?:i|we) (?:only )?(?:want|need)|give me|keep|just|only)? ?{_X},? (?:and )?nothing (?:else|more){_END}"),
     r"keep only \g<x>"),
    # "only the X should be left", "the X is all that should be left", "the X should be all that's left"
    (re.compile(rf"^(?:only )?{_X} (?:should|must|can) be (?:all that(?:'s| is) )?left(?: over)?{_END}"), r"keep only \g<x>"),
    (re.compile(rf"^{_X} (?:is|are) all (?:that )?(?:should|must) (?:be left|remain){_END}"), r"keep only \g<x>"),
    # "make the hum disappear / vanish"
    (re.compile(rf"^(?:(?:can|could|would) (?:you|u) )?make {_X} (?:disappear|vanish|go away)(?: completely| entirely)?{_END}"),
     r"remove \g<x>"),
    # "give the vocals 3 dB more", "give the vocals a 3 dB boost", "the kick could use 3 more dB" (amount kept)
    (re.compile(rf"^give {_X} (?:a |an |another )?(?P<n>[\d.]+ ?(?:db|decibels?))(?: more| extra| boost| lift| bump)?{_END}"),
     r"boost \g<x> by \g<n>"),
    # where the edit should start or end: "start the clip at 0:12", "make it end at 1:05", "nothing after 1:05"
    (re.compile(rf"^(?:(?:make|have|let) {_CLIP} (?:start|begin)|(?:start|begin) {_CLIP}|{_CLIP} should (?:start|begin)) (?:at|from) (?P<t>{_T}){_END}"),
     r"delete everything before \g<t>"),
    (re.compile(rf"^(?:(?:make|have|let) {_CLIP} (?:end|stop|finish)|(?:end|stop|finish) {_CLIP}|{_CLIP} should (?:end|stop|finish)) (?:at|by) (?P<t>{_T}){_END}"),
     r"cut everything after \g<t>"),
    (re.compile(rf"^(?:i want |i need |keep )?nothing (?:after|past|beyond) (?P<t>{_T}){_END}"), r"cut everything after \g<t>"),
    # "skip the first 4 seconds": the opening (or closing) part trimmed away
    (re.compile(rf"^skip (?P<p>the (?:first|opening|initial|last|final|closing) .+){_END}"), r"cut \g<p>"),
    # "I only need 0:10 to 0:40", "cut it down to 0:10 - 0:40": a stretch of time kept, nothing named
    (re.compile(rf"^(?:i|we) (?:only |just )?need (?:the (?:part|bit|section|stretch) )?(?:from |between )?"
                rf"(?P<a>{_T}) (?P<to>to|-|until|till|through|and) (?P<b>{_T}){_END}"), r"keep \g<a> to \g<b>"),
    (re.compile(rf"^(?:cut|trim|crop|edit|chop) {_CLIP} down to (?:just |only )?(?:the part |the bit )?(?:from )?(?P<r>(?:{_T}).+){_END}"),
     r"trim to \g<r>"),
    # "can I get this as a wav?", "I'd like it as an mp3": the result asked for in a format
    (re.compile(rf"^(?:(?:can|could|may) (?:i|we) (?:get|have)|(?:i|we)(?:'d| would) like|(?:i|we) (?:want|need)|give me) "
                rf"{_CLIP} (?:as|in) (?:an? )?{_FORMAT}(?: file| format)?\s*\??{_END}"), r"export as \g<f>"),
    # a complaint, then "fix it": the complaint says what the fix is ("too loud" is quieter, not gone)
    (re.compile(rf"^(?P<c>{_X} (?:is|are|sounds?) (?:way |far |a bit |a little |much )?too (?:loud|quiet|soft|harsh)),? "
                rf"(?:(?:can|could) (?:you|u) )?(?:please )?(?:fix|sort|deal with|sort out) (?:it|that|this|them)(?: out)?{_END}"),
     r"\g<c>"),
)  # fmt: skip


#: shapes of one clause inside a longer sentence, rewritten where they stand
CLAUSE_SHAPES = (
    # "the hum is isolated from 0:10 to 0:14, remove it": a description of where it is alone (a span
    # prompt), not a request to isolate it
    (re.compile(rf"\b{_X} (?:is|are) isolated (?=(?:from|between|at|around) )"), r"\g<x> is by itself "),
    # "from 0:10 to 0:14 it's just the hum, remove it everywhere": the same, the times first
    (re.compile(rf"^(?:from|between) (?P<a>{_T}) (?:to|and|-|until) (?P<b>{_T}),? (?:it's|it is|there's|there is|"
                rf"you (?:can )?(?:only )?hear) (?:just |only )?(?P<x>(?:the|a|an|my) [^,;.!?]+?)(?=[,.;] )"),
     r"\g<x> is by itself from \g<a> to \g<b>"),
    # "take the hum out from 0:10 to 0:14 only": "only" said after the stretch it limits
    (re.compile(rf" (?P<r>(?:from|between) {_T} (?:to|and|-|until) {_T}) only(?=\s*[.!]*$)"), r" only \g<r>"),
)  # fmt: skip

#: "never mind, put it back": the undo said twice over is one undo
_NEVER_MIND = re.compile(r"^(?:never ?mind|forget (?:it|that)|scratch that|oops)\s*[,.;!-]+\s*(?=\S)")


def plain_command(text: str) -> str:
    """``text`` said as the plain command its shape means, or unchanged.

    >>> plain_command("i want the hiss and nothing else")
    'keep only the hiss'
    >>> plain_command("could you make the tram bell disappear")
    'remove the tram bell'
    >>> plain_command("give the vocals 3 db more")
    'boost the vocals by 3 db'
    >>> plain_command("remove the hiss")
    'remove the hiss'
    """
    rest = _NEVER_MIND.sub("", text)
    if rest != text and (UNDO.search(rest) or RESET.search(rest)):
        return rest
    for shape, said_as in CLAUSE_SHAPES:
        text = shape.sub(said_as, text)
    for shape, command in SHAPES:
        said, n = shape.subn(command, text)
        if n:
            return said
    return text
