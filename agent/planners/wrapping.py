"""The words people put around a request, taken off before the rules planner reads it.

A chat or forum request comes wrapped: "quick one: remove the hum", "sorry to bother, ...",
"... for my client", "... before I upload it". The planner reads every word as part of the
edit, so a wrapper it has not seen lands in a target ("hum for my client") or becomes a step of
its own. ``benchmarks/bench_wrappers.py`` wraps every tuning instruction in common openers and
closers (lists fixed before these rules were written) and measures how often the plan changes;
issue 14 round 4 found openers before a colon, apologies and purpose tails changing it most.

Each rule here removes a whole kind of wrapper, described by its shape, not a list of phrases:
an opener is the words before a colon that hold no verb, no time and no sound the rest points
back to; a purpose tail is "for" + a possessive or article + what the edit is for.
"""

from __future__ import annotations

import re

from .clauses import COMMAND_START
from .vocabulary import VERB

#: "quick one: ...", "one more thing: ...", "question: ...": a label before a colon
_COLON_OPENER = re.compile(r"^(?P<head>[^:§]{1,40}?):\s+(?P<rest>.+)$")
#: the rest refers back to the head ("the hum: remove it"), so the head is the target
_POINTS_BACK = re.compile(r"\b(?:it|them|that|this|these|those|him|her)\b")
_APOLOGY = re.compile(
    r"^(?:so )?(?:sorry|apologies|forgive me)(?: (?:to bother(?: you)?|for (?:bothering|the trouble|asking|the noob question)"
    r"|if this is (?:a )?(?:dumb|stupid|silly|basic) (?:question)?))?(?:\s*[,.!:-]+\s*|\s+but\s+)"
)
#: forum small talk that asks for nothing, as a sentence or a clause of its own: "first time using
#: this.", "long time lurker.", "hope this is the right place.", "quick one -", "newbie question:"
_SMALL_TALK = (
    r"(?:(?:a )?(?:long[- ]time|first[- ]time) (?:lurker|listener|reader|user|poster|post(?:ing)?|here|using (?:this|it|the \w+|\w+))"
    r"(?: here)?|(?:i )?hope (?:this|i'?m|i am) (?:is )?(?:in )?the right (?:place|forum|sub(?:reddit)?|spot|thread|group)"
    r"(?: (?:to|for) (?:ask(?: this)?|this|post(?: this)?))?|quick (?:one|1)|"
    r"(?:a |my )?(?:newbie|noob|beginner|dumb|stupid|silly|basic|quick|simple) (?:question|q)(?: here)?)"
)
_SMALL_TALK_START = re.compile(rf"^(?:{_SMALL_TALK}\s*(?:[.!?,:;]+|\s-+)\s*)+(?=\S)")
_SMALL_TALK_MIDDLE = re.compile(rf"(?<=[.!?,] ){_SMALL_TALK}\s*(?:[.!?,:;]+|\s-+)\s*(?=\S)")
_DETERMINER = re.compile(r"^(?:the|a|an|my|our|your|his|her|their|this|that|these|those|some)\b")
#: "would you mind helping me remove ...": the request is the verb after it
_MIND = re.compile(r"^(?:would|do) you mind helping (?:me|us) (?:to )?")
#: what an edit is for: "for my client", "for a youtube video", "for the final version"
_PURPOSE = re.compile(
    r"\s+for (?:a|an|the|my|our|his|her|their|this|that|your) (?:(?!(?:and|or|then|but)\b)\w+ ){0,2}"
    r"(?:video|videos|podcast|episode|show|channel|stream|reel|vlog|client|clients|boss|friend|teacher|band|"
    r"version|edit|project|course|class|meeting|presentation|film|movie|audience|listeners|viewers|"
    r"upload|release|mix(?:down)?|master)\b"
)
#: "... before I upload it", "so I can post it": when the user will do something with the result
_LATER = re.compile(
    r"\s+(?:before|so|when|once|after|because) (?:i|we) (?:can )?(?:upload|post|send|publish|share|release|"
    r"put|submit|play|air|broadcast)\b[^,;.!?]*"
)
#: loudness targets depend on what the audio is for ("normalize for my podcast"): keep the purpose
_LOUDNESS = re.compile(r"\b(?:normali[sz]e|loudness|lufs|level(?:s)? (?:for|to)|(?:loud|quiet) enough)\b")


def _names_a_sound(head: str) -> bool:
    """"the hum", "my dog", "hiss": a noun phrase the rest of the sentence can point back to."""
    from samaudio_core.builtin.ontology import match_kind

    if _DETERMINER.match(head):
        return True
    found = match_kind(head, use_embeddings=False)
    return found is not None and found.how == "keyword"


#: the rest of a label line is a bare verb, or an amount, with no object: "tuba: remove, 0:20-0:50 only",
#: "mellotron: -2.5 dB" (a spec sheet: the head is the sound)
_BARE_VERB_REST = re.compile(
    r"^(?P<verb>remove|mute|kill|cut|delete|isolate|extract|keep|solo|boost|lower|raise|reduce|louder|quieter|softer)\b"
    r"(?P<after>\s*(?:$|[,;.]|(?:everywhere|throughout|completely|entirely|by)\b|(?:only|just)\s*[.!]*$|"
    r"(?:only )?(?:from|between|at|after|before|until)\b|[+-]?\d).*)$"
)
#: heads that label a line rather than name a sound ("question: remove ...")
_LABEL_WORDS = re.compile(
    r"^(?:question|request|note|update|edit|ps|p\.s\.|also|tip|issue|problem|task|todo|step \d+|next|then|finally|"
    r"(?:quick|small|simple|one more|another|last) (?:one|thing|question|request))$"
)
_AMOUNT_REST = re.compile(r"^[+-]\s*\d+(?:\.\d+)?\s*db\b[\s.!]*$")
#: a head that is a stretch of time: "last 15 s only: whispering -4 dB"
_TIME_HEAD = re.compile(
    r"^(?:the )?(?:first|last|final|opening) \d+(?:\.\d+)? ?(?:s|secs?|seconds?|minutes?|mins?)(?: only)?$"
)


def _label_line(head: str, rest: str) -> str | None:
    """A spec-sheet line, "<sound>: <verb or amount>" or "<stretch>: <edit>", as a sentence; None when
    it is not one."""
    if _TIME_HEAD.match(head):
        return f"{rest.rstrip(' .')}, {head}"
    if _LABEL_WORDS.match(head) or VERB.search(head) or re.search(r"\d", head) or len(head.split()) > 4 or not re.search(r"[a-z]", head):
        return None
    m = _BARE_VERB_REST.match(rest)
    if m and m["verb"] in ("louder", "quieter", "softer"):
        return f"make the {head} {m['verb']}{m['after']}"  # "piano: louder"
    if m:
        return f"{m['verb']} the {head}{m['after']}"
    if _AMOUNT_REST.match(rest):
        return f"{head} {rest}"
    return None


def unwrap(text: str) -> str:
    """``text`` (lower case, as :func:`agent.planners.rules._normalise` leaves it) without wrappers.

    >>> unwrap("quick one: remove the hum")
    'remove the hum'
    >>> unwrap("the hum: remove it")
    'the hum: remove it'
    >>> unwrap("one more thing: turn it down")
    'turn it down'
    >>> unwrap("heads up: remove the hiss")
    'remove the hiss'
    >>> unwrap("remove the hiss for my client before i upload it")
    'remove the hiss'
    """
    text = _APOLOGY.sub("", text)
    text = _SMALL_TALK_START.sub("", text)
    text = _SMALL_TALK_MIDDLE.sub("", text)
    text = _MIND.sub("", text)
    m = _COLON_OPENER.match(text)
    label = _label_line(m["head"].strip(), m["rest"].strip()) if m else None
    if label is not None:
        return label.strip()
    # the head is a label when it asks for nothing ("quick one") or the rest is a whole command
    # of its own ("heads up: remove the hiss"), unless the rest points back to it ("the hum: remove it")
    if m and (not VERB.search(m["head"]) or COMMAND_START.match(m["rest"]) or VERB.match(m["rest"])):
        if not (_POINTS_BACK.search(m["rest"]) and _names_a_sound(m["head"])):
            text = m["rest"]
    text = _LATER.sub("", text)
    if not _LOUDNESS.search(text):
        text = _PURPOSE.sub("", text)
    return text.strip()
