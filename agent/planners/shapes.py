"""Whole-sentence request shapes, said back as the plain command they mean before the planner reads them.

People ask for one edit in many shapes ("only the hiss should be left", "make the hum disappear").
``benchmarks/bench_paraphrase.py`` says one request about 40 sounds in 156 everyday shapes (lists
written from how people phrase requests, not from the planner's misses); the shapes below are the
ones it found the planner not reading that the rules' own rewrites (``rules._normalise``) do not
cover, each a sentence form with the sound's words in one slot, rewritten to the command the rules
already read. A shape matches only the whole instruction (or clause), so a longer sentence keeps
its own reading.
"""

from __future__ import annotations

import re

_X = r"(?P<x>(?:the|my|this|that|these|those|all the) [^,;.!?§]+?)"
_END = r"\s*(?:please|pls|thanks|thx)?\s*[.!]*$"
#: a time as the normaliser leaves it: "0:12", "1:05.5", "12 seconds", "12s"
_T = r"(?:\d+:\d{2}(?:\.\d+)?|\d+(?:\.\d+)? ?(?:s|secs?|seconds?)\b|(?:the )?\d+(?:\.\d+)? ?(?:s|secs?|seconds?) mark)"
_CLIP = r"(?:it|this|the (?:clip|file|track|audio|recording|song|take|video|episode|whole thing))"

#: (shape, the command it means); ``\g<x>`` is the sound's words as the user wrote them
SHAPES = (
    # "only the X should be left", "the X is all that should be left", "the X should be all that's left"
    (re.compile(rf"^(?:only )?{_X} (?:should|must|can) be (?:all that(?:'s| is) )?left(?: over)?{_END}"), r"keep only \g<x>"),
    (re.compile(rf"^{_X} (?:is|are) all (?:that )?(?:should|must) (?:be left|remain){_END}"), r"keep only \g<x>"),
    # "make the hum disappear / vanish"
    (re.compile(rf"^(?:(?:can|could|would) (?:you|u) )?make {_X} (?:disappear|vanish|go away)(?: completely| entirely)?{_END}"),
     r"remove \g<x>"),
    # where the edit should start: "start the clip at 0:12" (its end, and "nothing after T", the rules read)
    (re.compile(rf"^(?:(?:make|have|let) {_CLIP} (?:start|begin)|(?:start|begin) {_CLIP}|{_CLIP} should (?:start|begin)) (?:at|from) (?P<t>{_T}){_END}"),
     r"delete everything before \g<t>"),
    # "skip the first 4 seconds": the opening (or closing) part trimmed away
    (re.compile(rf"^skip (?P<p>the (?:first|opening|initial|last|final|closing) .+){_END}"), r"cut \g<p>"),
    # "I only need 0:10 to 0:40", "cut it down to 0:10 - 0:40": a stretch of time kept, nothing named
    (re.compile(rf"^(?:i|we) (?:only |just )?need (?:the (?:part|bit|section|stretch) )?(?:from |between )?"
                rf"(?P<a>{_T}) (?P<to>to|-|until|till|through|and) (?P<b>{_T}){_END}"), r"keep \g<a> to \g<b>"),
    (re.compile(rf"^(?:cut|trim|crop|edit|chop) {_CLIP} down to (?:just |only )?(?:the part |the bit )?(?:from )?(?P<r>(?:{_T}).+){_END}"),
     r"trim to \g<r>"),
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
)  # fmt: skip


def plain_command(text: str) -> str:
    """``text`` said as the plain command its shape means, or unchanged.

    >>> plain_command("only the hiss should be left")
    'keep only the hiss'
    >>> plain_command("could you make the tram bell disappear")
    'remove the tram bell'
    >>> plain_command("remove the hiss")
    'remove the hiss'
    """
    for shape, said_as in CLAUSE_SHAPES:
        text = shape.sub(said_as, text)
    for shape, command in SHAPES:
        said, n = shape.subn(command, text)
        if n:
            return said
    return text
