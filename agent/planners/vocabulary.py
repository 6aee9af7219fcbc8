"""What the rules planner knows of English: verbs, idioms, fillers, and target cleaning.

Each table is a compiled regular expression over normalised text (lower case, digits for
numbers, ``§N`` placeholders for times; see :mod:`agent.planners.rules`). Alternatives are
listed longest first where a shorter one is a prefix ("cut off" before "cut"), because the
regex engine takes the first alternative that matches. :func:`clean_target` turns what is
left of a clause once its verb, amounts and times are removed into the target words
("can you get rid of that annoying buzzing sound in the background" -> "buzzing").
"""

from __future__ import annotations

import re

from agent.preferences import FORMAT_WORDS

from .lazyre import LazyPattern

DEFAULT_DB = 6.0  # louder/quieter with no amount
SMALL_DB = 3.0  # "a bit"
LARGE_DB = 10.0  # "a lot"

# --- clause vocabulary -----------------------------------------------------------------------

RESET = re.compile(
    r"\b(?:start (?:all )?over|start again|start from scratch|from scratch|reset\w*|scrap (?:all|everything)(?: of)?(?: (?:it|that|this))?|"
    r"(?:go|get|take me|revert|switch|return) back to (?:the )?(?:original|beginning|start|unedited|raw|unprocessed|"
    r"untouched|source|initial|first version)|"
    r"back to (?:the )?(?:original|raw|unedited|unprocessed|untouched)|restore (?:the )?(?:original|raw|unedited|untouched)|"
    r"revert (?:to (?:the )?(?:original|raw|unedited|untouched|unprocessed|initial|first)|everything|all)|"
    r"(?:go|get|take me|revert|switch) back to (?:how|the way) it (?:was|sounded) (?:at the (?:very )?(?:beginning|start)|originally|"
    r"before (?:any|all) (?:(?:of )?the |my )?(?:edits|changes))|"
    # every edit, said as a plural: "scrap all my changes", "discard the edits" ("the last 2 edits" is undo)
    r"start (?:fresh|anew)|fresh start|begin again|"
    r"(?:scrap|discard|undo|drop|throw away|throw out|revert|lose|ditch|forget|cancel|remove|get rid of|delete|wipe|nuke|trash|"
    r"clear|reset) (?:all )?(?:of )?(?:my |the |your |these |those |our )?(?:edits|changes)\b|"
    r"undo (?:everything|all\b(?: (?:the )?changes| of it)?|every change)|"
    # "I want the raw recording back", "give me the original back"
    r"(?:the )?(?:original|raw|unedited|untouched|unprocessed)(?: (?:version|file|audio|recording|track|one|mix|take))? (?:back|again)|"
    r"(?:scrap|discard|undo|drop|ditch|nuke|revert|lose|kill|wipe|reset|throw away|throw out|get rid of|clear|delete|"
    r"remove|cancel) (?:every|each) (?:single )?(?:edit|change)\b|"
    r"discard (?:all|every|everything)(?! (?:the )?other\b| else\b)|throw (?:it )?all away|"
    # "bring back the original recording", "roll it all back to before I touched anything"
    r"bring back (?:the |my )?(?:original|raw|unedited|untouched|unprocessed)|"
    r"(?:roll|take|set|put) (?:it |this |everything |things )?(?:all )?back to (?:before (?:i|we|you) |the (?:very )?(?:start|beginning)\b)|"
    r"(?:back )?to (?:how it was )?before (?:i|we|you) (?:touched|changed|edited|did) (?:anything|it|a thing)|"
    # "give me back my original take", "put the audio back the way it was before any of my edits"
    r"give (?:me|us) (?:back )?(?:my|our|the) (?:original|raw|unedited|untouched|unprocessed)\b|"
    r"(?:put|set|bring|get|make) (?:it|this|everything|things|(?:the|my|our) (?:[\w-]+ ){0,2}?[\w-]+) back "
    r"(?:to )?(?:the way|how|as) (?:it|they) (?:was|were|sounded) (?:originally|at the (?:very )?(?:start|beginning)|"
    r"before (?:any|all) (?:of )?(?:the |my |your )?(?:edits|changes|editing)))"
)
UNDO = re.compile(
    r"\b(?:undo|undid|revert(?: that| it| the last\w*)?|go back|step back|take (?:that|it) back|"
    r"cancel (?:that|the last)|roll ?back|scratch that|scrap that|take back (?:that|it)|never ?mind|"
    # "put it back the way it was": the change undone
    r"(?:put|set|change|make) (?:it|that|things|everything) back(?: (?:the way|how|to how|as|to the way) (?:it|they) (?:was|were))?)\b"
)
#: "take back the last edit", "remove the previous change": the last edit undone, whatever the verb
UNDO_LAST = LazyPattern(
    r"\b(?:take back|undo|revert|reverse|roll back|cancel|remove|drop|scrap|discard|ditch|lose|forget|get rid of|"
    r"delete|kill|nix|throw away|throw out|scratch) (?:the |that |my |your )?(?:very )?(?:last|previous|latest|most recent)"
    r"(?: (?P<n>\d+))? (?:edit|change|step|operation|action|thing (?:you|i) did)s?\b"
)
EXPORT_VERB = re.compile(r"\b(?:export|save|render|bounce|write (?:it |the (?:file|audio|result|mix) |this |that )?out|spit (?:it )?out|download|output|convert)\b")
UNSUPPORTED = (
    "m4a", "mp4a", "aac", "aif", "aiff", "opus", "wma", "mp4", "webm", "alac", "mov", "avi",
    "zip", "rar", "pdf", "midi", "amr", "3gp", "mkv", "wmv", "flv", "ac3", "caf", "m4r",
)  # fmt: skip
FORMAT = re.compile(r"\b(" + "|".join([*FORMAT_WORDS, *UNSUPPORTED]) + r")\b")
NORMALIZE = re.compile(
    r"\bnormali[sz]\w*|\bloudness\b|\blufs\b|"
    # a loudness standard asked to be met: "make it EBU R128 compliant", "ATSC A/85 compliant"
    r"\b(?:ebu[- ]?)?r[- ]?128\b|\batsc\b(?:[- ]?a/?85\b)?|"
    r"\b(?:podcast|spotify|youtube|streaming|broadcast|radio)[- ](?:ready|level|loudness|standard|loud|friendly)|"
    r"\b(?:loud|ready|level(?:l?ed)?|levels|master(?:ed)?)\b[^§]*\bfor (?:a |the )?(?:upload(?:ing)? (?:to|on) )?"
    r"(?:podcast|spotify|youtube|streaming|broadcast|apple|tv|radio|tidal|soundcloud)"
)
PLATFORM_LUFS = [
    (r"podcast|apple", -16.0),
    (r"broadcast|\btv\b|ebu|r128|radio", -23.0),
    (r"atsc", -24.0),
    (r"spotify|youtube|stream|tidal|amazon|soundcloud|deezer", -14.0),
]
FADE = re.compile(
    r"\bfade\s*(?:it\s+|the (?:audio|track|clip|song|music|sound)\s+|things\s+)?(?P<d>in|out|up|down)\b|"
    r"\b(?P<d2>in|out)\s*-?\s*fade\b|\bfade\b"
)

# Verbs, longest forms first so that "cut off" wins over "cut".
REMOVE = (
    r"get rid of|getting rid of|rid of|remove|splice out|get out|take out|take away|cut out|cut off|clean up|clean out|"
    r"filter out|strip out|strip away|strip off|get off|strip|block out|cancel out|cancel|cut|kill|mute|drop|eliminate|delete|"
    r"lose|erase|suppress|silence|scrap|ditch|discard|eradicate|nuke|wipe out|wipe off|wipe away|wipe|denoise|de-noise|chop off|chop out|chop|"
    r"zap|nix|axe|purge|banish|scrub out|scrub|shave off|shave|snip off|snip|lop off|lop|take off|knock off|"
    r"removed|deleted|eliminated|muted|taken out|cut out|gone|go away|has to go|must go|needs to go|should go|fix|"

    # "the final 7 seconds can go" ("the music can go quieter" is a level change)
    # chat: "bin the rest", "chuck the intro"
    r"(?:bin|chuck|toss|dump)(?= (?:the|it|them|that|this|those|these|all|everything)\b| §)|"
    # a bare "X out" ends a clause: "bees buzzing out, 1:10 to 1:25", "the hair dryer out please"
    r"out(?=\s*$|\s+(?:please|pls|now|completely|entirely|altogether|for good|too|as well|everywhere)\s*$|"
    # ... or before a time ("gulls out from 40 to 52"), or out of what it is in ("I want the X out of my voiceover")
    r"\s+(?:(?:from|between|at|during|after|before|until|in|for|only) )?§|"
    r"\s+of (?:the|my|this|our|that|your|his|her|their)\b)|"
    r"(?:can|could|may|gotta|got to) (?:go|disappear|vanish)(?=\s*$|\s+(?:now|please|too|as well|entirely|completely|"
    r"for good|away)\b)"
)
ISOLATE = (
    r"(?:keep|leave|want|give me) nothing (?:but|except|other than|apart from|besides)|nothing except|"
    r"nothing other than|keep only|only keep|keep just|just keep|i only need|i just need|isolate|extract|solo|pull out|separate out|separate|"
    r"leave only|leave just|single out|find|keep|i only want to hear|i only want|i just want to hear|i just want|"
    r"i want only|i want just|i want to hear only|i want to hear just|only want|just want|give me only|"
    r"give me just|let me hear only|let me hear just|let me hear|give me|nothing but|isolated|extracted|"
    r"use only|use just|only use|leave|separated|"
    # "the bugle stays(, bin the rest)", "the voice should remain": it is what is kept
    r"(?:should |can |must |has to |needs to |gets to )?(?:stays?|remains?)(?=\s*$|\s+(?:please|pls|only|as is|untouched|intact)\s*$)"
)
UP = (
    r"louder|boost|raise|turn up|bring up|bring out|pump up|crank up|crank|amplify|increase|emphasi[sz]e|"
    r"more prominent|higher|stronger|boosted|raised|turned up|hotter|push up|stand out|pop out|pop more|"
    r"cut through|come through|more present|more audible|come forward|more forward|come up|go up|bump up|nudge up|"
    r"(?:bump|lift)(?= (?:the|it|them|my|this|that|those|these|our|up)\b)|"
    r"forward|up"
)
DOWN = (
    r"quieter|softer|lower|turn down|bring down|tone down|dial down|dial back|quiet down|reduce|"
    # ("the rubber duck squeaks", "duck quacking": the bird or the toy, not the verb)
    r"(?<!\bthe )(?<!\ba )(?<!\brubber )(?<!\btoy )duck(?!s?\s+(?:squeak|quack|call|sound|noise|toy|pond|\w+ing\b)\w*)|"
    r"decrease|attenuate|tame|soften|less prominent|weaker|lowered|reduced|turned down|ducked|pull back|"
    r"push back|sit back|set back|knock down|knock back|ease back|ease off|ease down|take down|back off|come down|go down|"
    r"bump down|nudge down|down"
)
VERB = re.compile(rf"\b(?:(?P<remove>{REMOVE})|(?P<isolate>{ISOLATE})|(?P<up>{UP})|(?P<down>{DOWN}))\b")
WEAK_ISOLATE = re.compile(
    # ("0:20 to 0:40 only": the only after a time limits the time, it keeps no sound)
    r"(?<!§\d )(?<!§\d\d )\b(?:just|only)\b(?! (?:(?:in|during|between|from|at|for|on|after|before|over) )?§)"
)
EXCEPT = re.compile(
    r"^(?P<v>.*?)\b(?:everything|all|anything|every sound)(?: else)?(?: (?:at |in |during |from |between )?§\d+)? (?:but|except(?: for)?|apart from|other than|"
    r"besides|save for|aside from) (?P<t>.+)$"
)
DB = re.compile(r"(?P<sign>[+-])?\s*(?P<v>\d+(?:\.\d+)?) db\b")
BY_NUMBER = re.compile(r"\bby (?P<sign>[+-])?(?P<v>\d+(?:\.\d+)?)\b(?!\s*(?:%|percent|§))")
PERCENT = re.compile(r"\b(?:by )?(?P<v>\d+(?:\.\d+)?)\s*(?:%|percent)")
SMALL = re.compile(
    r"\b(?:just )?(?:a (?:little |tiny |teeny |wee |lil )?bit|a little|a lil|a tad|a touch|slightly|somewhat|a smidge|a hair|"
    r"kind of|kinda|tiny bit|little bit)\b"
)
LARGE = re.compile(
    r"\b(?:a lot|a ton|lots|loads|much|way|significantly|considerably|heavily|massively|greatly|substantially|far)\b"
)
GENTLE = re.compile(r"\b(?:gently|gentle|softly|subtly|lightly|partially|partly)\b")
FULL = re.compile(r"\b(?:completely|fully|entirely|totally|altogether|all of)\b")

# Casual phrasing.
CANT_HEAR = re.compile(
    r"^(?:.*?\b)?(?:i |we )?(?:can'?t|cannot|can not|could not|couldn'?t|barely|hardly|can hardly|can barely) "
    r"(?:really |even |quite )?(?:hear|make out|understand|catch|follow) (?P<t>.+)$|"
    r"^(?P<t2>.+?) (?:is|are|gets?) (?:(?:hard|difficult|impossible|tough) to (?:hear|make out|understand|follow)|"
    r"(?:barely|hardly|not|almost not|not really) (?:audible|there|noticeable)|inaudible|drowned out|buried|lost)\b.*$"
)
# "too much reverb" lowers it; "so much wind" is a complaint (remove).
TOO_MUCH = re.compile(
    r"^(?:there'?s |there is |it'?s |it has )?(?P<int>(?:(?:way|far|a bit|a little|slightly) )*)too much (?P<t>.+)$"
)
SO_MUCH = re.compile(
    r"^(?:there'?s |there is )?(?:so much|much|such a lot of|all this|all that|lots of) (?P<t>.+)$"
)
TOO = re.compile(
    # (the copula may be glued on, "the hoover's", or left out in chat, "cat purring way too loud")
    r"^(?P<t>.+?)(?:(?P<cop>(?<!\bthere)(?<!\bhere)'s|'re| (?:is|are|'s|'re|was|were|sounds?|seems?|feels?|gets?|sits?|comes? (?:across|off)))|(?= (?:(?:way|much|far|a bit|a little|slightly) )?too (?!much\b)))(?: (?P<int>way|much|far|a bit|a little|slightly|kind of|"
    r"kinda|somewhat|a lot|really|so|very|just|a tad|a touch|a smidge|a little bit|a tiny bit|still|even|also|"
    r"definitely|clearly|obviously|honestly|way way|bit))* too (?P<dir>loud|quiet|soft|low|faint|weak|strong|high|hot|"
    r"prominent|much|buried|present|overpowering|dominant)\b.*$"
)
COMPLAINT = re.compile(
    r"^(?P<t>.+?) (?:is|are|'s|'re|keeps?|keep|was|were)(?: \w+){0,2} (?:ruining|ruins|killing|wrecking|spoiling|"
    r"messing up|annoying|distracting|bothering|driving me \w+|unbearable|awful|terrible|horrible|drowning|"
    r"getting in the way|in the way|irritating|grating|obnoxious|ruined|ruin|noisy|bad|ugly|disturbing|worst|"
    r"horrendous|atrocious|unacceptable|intolerable|gross|"
    # "the foosball table is making too big noise", "the fan makes such a racket"
    r"mak(?:ing|es?) (?:too|so|such|a|way|very|really|lots of|a lot of)(?: \w+){0,2} (?:noise|racket|din|ruckus|commotion))\b.*$"
)
RUINS = re.compile(
    # ("the range hood fan drowns everything out")
    r"^(?P<t>.+?) (?:(?:ruins|ruined|kills|spoils|wrecks|drowns out|covers up|masks|buries|swamps|overpowers|overwhelms) .*|drowns (?:\w+ ){1,2}out\b.*|"
    # "that whistle still bugs me": a complaint, as "is annoying"
    r"(?:still |really |just |so )?(?:bugs|bothers|annoys|irritates|distracts|grates on) (?:me|us)\b.*|"
    # "the kettle drives me crazy" (the idioms of annoyance are reworded to "crazy" first)
    r"(?:really |just )?(?:drives|drove) (?:me|us) (?:crazy|nuts|mad|insane|bonkers|bananas)\b.*)$"
)
PRESENCE = re.compile(
    r"^(?:.*?\b)?(?:there'?s|there is|there are|there was|it is(?= (?:a|an) (?!bit\b|little\b|lot\b|tad\b|touch\b))|"
    # "I have a hum in my recording", "we've got clicks" ("I have to", "I have removed" are not)
    r"(?:i|we)(?:'ve| have)? (?:got|have|had)(?! (?:to|it|them|been|no|not|never|just|already|\w+ed)\b)|"
    r"(?:i|you|we) (?:can |could )?(?:clearly |really |still |also |"
    r"definitely |obviously |always )?hear|can you hear|listen to|notice|hear that|"
    r"(?:my|the|this|our) (?:\w+ ){0,2}?(?:recording|audio|clip|track|podcast|video|file|song|interview|mic|take|footage|"
    r"vlog|voice note|note|memo|episode|tape|cassette|lecture|voiceover|narration|movie|film|stream|camera|camcorder|"
    r"phone|recorder|microphone)s? (?:(?:for|from|of|with|in|on) (?:[\w'-]+ ){0,4}?)?"
    r"(?:has|had|have|contains?|got|picked up|(?:is|was) (?:full of|filled with|riddled with|plagued by))) (?P<t>.+)$"
)
DONT_WANT = re.compile(
    r"^(?:.*?\b)?(?:i |we )?(?:(?:don'?t|do not|dont|no longer) (?:want|need|like)|hate|can'?t stand|cannot stand|"
    r"(?:am|'m) (?:sick|tired) of|dislike)(?: to hear| hearing)? (?P<t>.+)$|"
    r"^(?:.*?\b)?(?:no more|without|less of|minus|enough of|enough with) (?P<t2>.+)$|^no (?P<t3>(?!more\b).+)$"
)
# "clean up the dialogue" keeps the voice (removing everything else); "clean up the hiss" removes the hiss.
VOICES = r"(?:voices?|vocals?|speech|dialog(?:ue)?|narration|narrator|singer|singing|speakers?|interview|talking|host|guest)"
CLEARER = re.compile(
    rf"\bclean (?:up )?(?P<t>(?:the |my |this |that )?(?:\w+ )?{VOICES})\b|"
    rf"\b(?:make|get) (?P<t2>(?:the |my )?(?:\w+ )?(?:{VOICES}|audio|recording|sound|it|this))"
    rf" (?:\w+ )?(?:clearer|cleaner|crisper|more (?:clear|intelligible|understandable)|clean)\b|"
    rf"\bclean (?:up )?(?:the |this |my )?(?:audio|recording|clip|track|file|sound|it|podcast|interview|video|song|"
    rf"mix|take|voice memo)\b$"
)
KARAOKE = re.compile(r"\b(?:karaoke|instrumental|backing track|minus ?one)\b")
ACAPPELLA = re.compile(
    r"\b(?:acappella|vocals? only|only (?:the )?vocals?|just (?:the )?vocals?)\b(?!.*\b(?:remove|lower)\b)"
)
# A bare "half" means half the volume, but not "the left half" (a region of the frame) or
# "the first half" (a time).
_PLACE = "".join(
    f"(?<!{w} )" for w in ("left", "right", "top", "bottom", "upper", "lower", "first", "second", "last")
)
# ("runs through half the recording", "half the time": a share of the time, not of the level)
HALF = re.compile(
    rf"\b(?:in half|halve|halved|half (?:the |as )?(?:volume|level|loud)|{_PLACE}half"
    r"(?! (?:of )?(?:the |my |this |our )?(?:recordings?|clips?|tracks?|time|videos?|songs?|files?|audio|episodes?|sessions?|"
    r"day|night|way|podcasts?|interviews?|takes?)\b))\b"
)
DOUBLE = re.compile(
    # ("the double bass", "a double kick" name an instrument)
    r"\b(?:double(?!\s+(?:bass|basses|bassoon|reed|kick|pedal|tracked|click)\b)|doubled|twice as loud|2 times as loud|"
    r"2 times louder)\b"
)
SAME_FOR = re.compile(
    r"^(?:now |and )?(?:do )?(?:the same|that|the same thing|it)(?: again)? (?:for|to|with|on) (?P<t>.+)$"
)
AGAIN = re.compile(
    r"^(?:do (?:that|it|this)|same|repeat(?: that| it)?|one more time|again)(?: again| please)*$"
)

# Forum phrasing (issue 14 round 3): the tool a user names, the question around the request,
# and the greetings and thanks around it.
#: audio and video tools users name ("in audacity", "with ffmpeg"): never part of a sound
TOOLS = (
    r"(?:audacity|adobe audition|audition|adobe premiere(?: pro| elements| rush)?|premiere(?: pro| elements| rush)?|"
    r"final cut(?: pro)?(?: x)?|fcpx|davinci(?: resolve)?|resolve|imovie|garageband|logic(?: pro)?(?: x)?|pro tools|"
    r"reaper|ableton(?: live)?|fl studio|cubase|sound ?forge|(?:sony |magix )?vegas(?: pro)?|kdenlive|shotcut|"
    r"openshot|olive|flowblade|ffmpeg|sox|obs(?: studio)?|descript|capcut|ocenaudio|wavepad|goldwave|"
    r"izotope(?: rx)?|rx|this (?:app|tool|program|software|editor)|the (?:app|tool|program|software|editor))"
)
TOOL_MENTION = re.compile(
    rf"\s*\b(?:in|with|using|via|through|inside|from within) {TOOLS}(?: \d+(?:\.\d+)*)?\b(?!\s*§)|"
    rf"^\s*(?:in|with|using) {TOOLS}\s*(?:,|$)"
)
# ("could anybody isolate the oud": whoever reads it is asked; "can someone help" stays a plea)
TOOL_SUBJECT = re.compile(
    rf"\b(?:can|could|will|would|does|do) (?:{TOOLS}|(?:anybody|anyone|somebody|someone)(?! (?:help|tell|explain|know|advise|point)\b))\b"
)
#: questions and wishes that open a request ("how do I", "is it possible to", "any tips for"):
#: what follows them is the request
#: the verbs a request opens with, for preambles that are only one before a verb
_EDIT_VERB_AHEAD = (
    r"(?:make|remove|delete|cut|lower|raise|boost|isolate|extract|take|get|turn|fade|trim|normalize|normalise|export|"
    r"save|mute|keep|reduce|increase|put|give|clean|eliminate|erase)\b"
)
PREAMBLE = re.compile(
    r"^(?:(?:"
    r"how (?:do|can|could|would|should|might|does) (?:i|we|you|one)(?: (?:best|possibly|even|actually))?(?: go about)?"
    # the word order of a non-native speaker: "how I can cut ...", "is possible to delete ...",
    # "I want that you remove ..."
    r"|how (?:i|we|one) (?:can|could|do|should|would|might|must|may)(?: to)?"
    r"|(?:(?:how |what )?(?:(?:can|could|should|must|do) (?:i|we)|(?:i|we) (?:can|could|should|must|have to|need to)) )?"
    rf"do (?:for|to)(?= {_EDIT_VERB_AHEAD})"
    rf"|(?:please )?(?:you|u) (?:can|could|will|would)(?: please)?(?: to)?(?= {_EDIT_VERB_AHEAD})"
    r"|(?:i|we) (?:need|want|would like)(?= (?:remove|delete|cut|lower|raise|boost|isolate|extract|trim|mute|reduce|make)\b)"
    r"|(?:is |it is )?possible(?: for (?:me|you|us)| that (?:you|u))?(?: to)?(?= )"
    r"|(?:i|we)(?: (?:want|would like|need|wish|ask|prefer|would love)|'d (?:like|love))(?: it)?(?: (?:that|if))? (?:you|u)"
    r"(?: (?:to|can|could|will|would|please|kindly))*"
    r"|(?:can|could|may|should) (?:i|we)"
    r"|how to(?: go about)?"
    r"|what(?:'s| is| would be) the (?:best|easiest|simplest|quickest|fastest|right|proper|correct|cleanest|"
    r"recommended|usual) way (?:to|of)"
    r"|(?:is|are) (?:it|there) (?:at all )?(?:possible|any way|a way|some way|an easy way|a simple way|an option)"
    r"(?: for me| at all)?(?: to| of)?"
    r"|(?:(?:is|are) there )?(?:a|any|some)(?: \w+)? (?:way|option|method|tool|setting|trick)s? (?:to|of|for)"
    r"|(?:any|some) (?:tips|ideas|advice|suggestions|pointers)(?: on| for| about| with)?(?: how to)?"
    r"|(?:can|could|would|will) (?:anyone|someone|somebody|you guys|you all|y'all|one of you)(?: please)?"
    r"(?: help(?: me)?(?: to)?)?"
    r"|(?:please )?help me(?: to)?"
    r"|(?:i(?:'m| am| was) )?(?:trying|looking|hoping|wanting|attempting|planning) to"
    r"|(?:i )?(?:need|want|would like|'d like|wish|have|hope) to(?! hear| listen| keep| only| just)"
    r"|(?:i(?:'m| am| was)? )?(?:just )?wondering (?:if|whether|how)(?: (?:i|you|one|it) (?:can|could|would|might)"
    r"(?: be able to)?)?"
    r"|(?:would|will) it be possible(?: for you)? to|(?:would|could|will) you be able to|are you able to"
    r"|(?:it'd|it would|it will|would|will) be (?:really |so )?(?:great|nice|good|awesome|ideal|amazing|perfect|lovely|cool|"
    r"helpful|better)(?: if| to| for)?(?: (?:you|we|i) (?:could|can|would))?"
    r"|is it possible for (?:you|me) to"
    r"|(?:nothing else|nothing more)"
    r"|(?:i )?need (?:some )?help(?: with| to)?"
    r"|(?:does|do) (?:anyone|anybody|someone|you) know how to"
    r"|what (?:should|can|do) i do to"
    r"|(?:a )?quick question"
    r"|use (?:that|this|it|them|those)(?: (?:bit|part|section|one|sample|profile|stretch))? to"
    r")(?:\s+|$))+"
)
#: a whole clause that asks for nothing: a greeting, thanks, "new here", "any help appreciated"
SOCIAL = re.compile(
    r"^(?:"
    r"(?:hi|hello|hey|hiya|howdy|greetings|g'?day|(?:good )?(?:morning|afternoon|evening)|good day)(?: (?:all|everyone|everybody|guys|"
    r"folks|there|team|people|friends|y'?all))*"
    # a greeting that says it is one: "just saying hi (from Lisbon)", "only wanted to say hello"
    r"|(?:(?:i )?(?:just|only) )?(?:saying (?:hi|hello|hey|thanks|thank you)|"
    r"(?:wanted|want|dropping by|stopping by|dropping in) to say(?: (?:hi|hello|hey|thanks|thank you))?)"
    r"(?: (?:from|to) [\w' -]+)?"
    # who is asking, said as "<role> here": "podcaster here", "hobby videographer here"
    r"|(?!(?:the|a|an|my|this|that|our)\b)(?:[\w-]+ ){0,2}(?:\w+(?:er|ist|or|ian)|newbie|noob|beginner|amateur|student|dad|mum|mom) here"
    r"|(?:i'?m |i am )?(?:(?:a |very |completely |totally |pretty )?new (?:here|to (?:this|audio(?: editing)?|\w+(?: \w+)?))|"
    r"(?:a |an? )?(?:complete |total )?(?:newbie|noob|beginner|novice|amateur)(?: here)?|first (?:time )?post(?:er)?(?: here)?|"
    r"(?:my )?first time (?:writing|posting|asking|writing in|posting here|here|asking here)(?: in| here)?)"
    r"|(?:thanks|thank you|thx|ty|ta|cheers|many thanks|much appreciated|appreciate it|(?:much )?obliged|"
    r"obrigad[oa]|gracias|merci(?: beaucoup)?|danke(?: sch[öo]n)?|grazie(?: mille)?|arigato|dank je|tack|"
    r"(?:all the )?best(?: wishes)?|(?:kind |warm |best )?regards|with(?: (?:gratitude|thanks|appreciation|love))?|gratefully|"
    r"(?:i'?m |i am |i'?d be |i would be )?(?:so |very |really )?(?:grateful|thankful) (?:for (?:any|your|the|all) (?:help|advice|tips|input))?|"
    r"(?:i |would )?(?:really |greatly )?appreciate (?:any|the|your|all|some) (?:help|advice|tips|pointers|input))"
    r"(?: (?:a lot|a ton|a bunch|a million|so much|very much|heaps|in advance|all|everyone|guys|folks|mate|mates|buddy|pal|"
    r"for (?:any|your|the) help))*"
    # closing pleasantries: "have a nice weekend", "it would make my week", "you'd be a lifesaver"
    r"|(?:and )?(?:have a (?:nice|good|great|lovely) (?:day|weekend|week|evening|one|1)|"
    r"(?:it|that|this) (?:would|will|'d|is gonna) (?:make|save) my (?:day|week|month|year|life)|"
    r"(?:you'?d|you would|you will|you'll) be a (?:lifesaver|legend|hero|star))"
    r"|(?:any|all) (?:help|advice|tips|ideas|suggestions|pointers)(?: (?:would be|is|will be))?(?: (?:much|greatly|really|very))?"
    r"(?: (?:appreciated|welcome|great|awesome|helpful|lovely|nice))?"
    r"|(?:please )?help(?: me)?(?: please| out)?|(?:i )?need help|(?:i )?hope (?:someone|somebody|anyone|you|one of you) "
    r"can help(?: me)?(?: out)?|(?:can|could) (?:someone|anyone|somebody) help(?: me)?(?: out)?"
    r"|sorry if this (?:was|has been|is|got) (?:asked|answered|posted|covered)(?: (?:before|already|a lot))*"
    r"|(?:a )?quick question|(?:i have a )?question|(?:just )?wondering"
    r"|(?:some |quick |a bit of |a little )?(?:background|context|backstory)"
    r")$"
)
#: "removing hum from a recording" (a forum title) reads as "remove hum ..."
GERUNDS = {
    "removing": "remove", "reducing": "reduce", "isolating": "isolate", "extracting": "extract",
    "separating": "separate", "eliminating": "eliminate", "deleting": "delete", "lowering": "lower",
    "boosting": "boost", "raising": "raise", "muting": "mute", "stripping": "strip", "suppressing": "suppress",
    "filtering": "filter", "cleaning": "clean", "amplifying": "amplify", "increasing": "increase",
    "decreasing": "decrease", "trimming": "trim", "fading": "fade", "exporting": "export", "converting": "convert",
    "denoising": "denoise", "attenuating": "attenuate", "ducking": "duck", "soloing": "solo", "erasing": "erase",
    "normalizing": "normalize", "normalising": "normalise",
}  # fmt: skip
# ("removing it was too much" is feedback on the last edit, its subject a gerund, not a request)
GERUND = re.compile(r"\b(" + "|".join(GERUNDS) + r")\b(?! (?:it|them|that|this|those|these) (?:was|is|were|seemed|felt)\b)")

# Target cleaning.
#: what a sound is heard in (never the sound itself)
CONTAINERS = (
    r"(?:footage|recordings?|audio|videos?|vlogs?|podcasts?|interviews?|episodes?|clips?|songs?|files?|tapes?|"
    r"cassettes?|voiceovers?|voice-overs?|lectures?|mp3s?|wavs?|movies?|films?|streams?|takes?|sessions?|voicemails?|"
    r"rehearsals?|shows?|memos?|voice notes?|webinars?|meetings?|calls?|broadcasts?|livestreams?)"
)
FILLERS = [
    # "what I'd like is for the crowd to be quieter": the wish around the sound, not the sound
    r"\bwhat (?:i|we)(?:'d| would)? (?:really )?(?:like|want|need|love|'m after|am after)(?: is| would be)?(?: for)?\b",
    r"\b(?:can|could|would|will|do) (?:you|u)(?: please| kindly| just| maybe| possibly| perhaps)?(?: to)?\b",
    r"\basap\b|\burgently\b|\bright now\b|\bif you can\b|\breal quick\b|\bquick\b|\blol\b|\blmao\b|\bthx\b|"
    # chat tails that say how the user feels, not what the sound is: "the fan way too loud ngl"
    r"\b(?:ngl|rn|tbh|imo|imho|fr|smh|lowkey|highkey|istg|fml|ffs|deadass)\b|"
    # a plea, not a sound: "no more sleigh bells pls im begging"
    r"\b(?:i'?m|i am) begging(?: (?:you|u))?\b|"
    r"\bty\b|\bfor me\b",
    r"\b(?:can|could|may) (?:i|we)\b",
    r"\b(?:please|pls|plz)(?: to)?\b|\bkindly\b|\bthanks?(?: you)?\b|\bcheers\b|\b(?:por|for) favor\b|\bper favore\b|\bbitte\b",
    r"\bto be\b|\bi(?:'d| would)(?: really| so much| just)? (?:like|love)(?: you| it)?(?: to| for| if)?\b|\bi (?:want|need) you to\b|\bi (?:only |just |really )?(?:want|need|would like|'d like|would want|would need)\b|\b(?:i|we)(?:'d| would)? (?:really )?(?:wish|prefer|hope)\b|\blet'?s\b",
    r"\bhow (?:do|can|would|should|could) (?:i|we|you)\b|\bis there a way to\b",
    r"\b(?:i )?(?:just |only )?(?:wanted|want) to (?:say|mention|tell you|let you know)(?: that)?\b|"
    r"\bi think\b|\bi guess\b|\bmaybe\b|\bperhaps\b|\bif (?:you )?(?:can|could|possible)\b|\bfor me\b|\bfor us\b",
    r"\b(?:should|needs? to|has to|have to|must|could|ought to|can) be\b|\b(?:we|i|you)'ll\b|\bwe will\b",
    r"\b(?:get|give|have|hand|send|let) (?:me|us)\b|\bhave\b|"
    # ("a turn signal", "the go-kart": nouns after a determiner or in a compound)
    r"\bmake\b|(?<!\ba )(?<!\bthe )\bturn\b(?!-)|\bbring\b|(?<!\bdrum )(?<!\btv )(?<!\bradio )\bset\b|\bput\b|\bget\b|\bgo\b(?!-)|\btry to\b|\btry\b|\bhelp me\b",
    r"\b(?:the )?sounds? of\b|\bhear\b|\blisten to\b",
    r"\bin the (?:background|back|foreground|distance)\b",
    r"\b(?:from|of|on|in|throughout|across|for|over) (?:the|this|my|our|that) (?:whole |entire |full )?"
    r"(?:clip|recording|track|audio|file|mix|song|video|thing|sample|take|podcast|interview|part|section)\b",
    r"\b(?:(?:wherever|everywhere|anywhere|whenever|every time|each time) (?:it|they|that|this) "
    r"(?:is|are|occurs?|appears?|happens?|plays?|comes? (?:up|in|back)|can be heard|is heard|sounds?)|"
    r"everywhere|throughout|all the way through|wherever|"
    r"the (?:whole|entire) (?:time|way|clip|thing)|in the (?:whole|entire) (?:clip|thing|track|recording|file)|"
    r"every ?where else|(?:the )?(?:whole|entire) (?:time|way through))\b",
    r"\b(?:out )?of (?:here|there)\b|\bversion\b|\b(?:is|are|was|were)\b|\bwhat i (?:want|need|mean|'m after|am after)\b|\bthe one\b",
    r"\bas well\b|\btoo\b|\bnow\b|\bagain\b|\bright away\b|\bquickly\b|\bup front\b|\bat all\b(?! times)",
    # discourse around the sound: "overall", "push the voice forward", "the piano on its own"
    r"\boverall\b|\bpush\b|\bpull\b|\bmove\b|\b(?:should|must|needs? to|has to|have to|ought to)\b|"
    r"\b(?:needs?|could use|could do with|deserves?|requires?)\b",  # "the voice needs a 3 dB boost"
    r"\bfrom (?:here|there)(?: on)?\b|\binstead\b|\brather\b|\buntouched\b|\bas (?:it )?is\b|\bintact\b|\bin place\b",
    # when, vaguely: "at some point", "from time to time", "all through", "halfway through"
    r"\bat (?:some|one|any) point\b|\bat times\b|\bfrom time to time\b|\b(?:every )?now and (?:then|again)\b|"
    r"\b(?:at|near|towards?|toward|by|in) the (?:very )?(?:start|beginning|end|ending|intro|outro)\b(?! (?:of|by)\b)|"
    r"\bevery so often\b|\bsometimes\b|\boccasionally\b|\bhalfway through\b|\bin the middle\b|"
    r"\ball (?:through|day|night|afternoon|morning|evening)\b|\bseveral times\b|\ba few times\b|\ball the time\b|"
    r"\bis all (?:i|you|we) (?:can )?hear\b|\ball (?:i|you|we) (?:can )?hear\b",
    # how long, not when: "for the duration of the clip", "from start to finish", "almost the whole time"
    r"\b(?:(?:almost|nearly|mostly|pretty much|practically) )?(?:(?:for|during|over) )?(?:"
    r"the (?:whole |entire |full )?(?:duration|length)(?: of (?:the |this |my |our )?[\w-]+)?|"
    r"(?:from )?(?:the )?(?:start|beginning) (?:to|till|until) (?:the )?(?:finish|end)|from top to bottom|"
    r"at all times|all along|non-?stop|constantly|continuously|continually|incessantly|on and off|off and on|"
    r"intermittently|(?:most|much|all|some) of the time|the (?:whole|entire) time|all the time)\b",
    r"\bsomewhere(?: (?:in the )?(?:background|distance|nearby|outside))?\b|"  # "geese honking somewhere"
    r"\b(?:on (?:its|their|his|her) own|by (?:itself|themselves)|alone|in isolation|"
    r"from (?:everything|all|anything)(?: else)?|from the rest(?: of (?:the|it) ?\w*)?)\b",
    r"\b(?:clearly|obviously|distinctly|definitely|really|very|quite|pretty|loud and clear|basically|so)\b",
    r"^(?:even|still|further)\b",  # "even quieter please": more of the last change, not a sound
]
FILLER = re.compile("|".join(FILLERS))
LEAD_WORDS = (
    r"ok(?:ay)?|hey|hi(?![ -]hats?\b)|so|um+|uh+|hmm+|ugh+|argh+|ah+|oh|well|honestly|seriously|yeah|yes|alright|"
    r"omg|geez|sigh|gah|meh|lol|welp|eww+|ew|yuck|nah|nope|bleh|blah|eh|huh|"
    r"right|and|also|then|really|actually|basically|now|oof|dear(?=\s*,|\s*$)|man(?=\s*,|\s*$|\s+(?:the|this|that|these|those|my|our|it|i|we|so|is|are)\b)|god|jeez|wow|damn|oops|first|firstly|"
    r"next|finally|lastly|second|secondly|after that|but|though|however|"
    # discourse markers that open a clause and say nothing about the sound (issue 14 round 4)
    r"long story short|to make a long story short|in short|anyway|anyways|by the way|btw|tbh|to be honest|fwiw|"
    r"on second thoughts?|on reflection|come to think of it|thinking about it|wait|in any case|so yeah|you know|"
    r"i mean|sorry|hm+|okay so|ok so|if i'?m honest|if i am honest|truth be told|to tell (?:you )?the truth|"
    # chat openers addressed to no one: "yo get the ... out", "bro the pings are so annoying"
    r"yo|bro|bruh|dude|deadass|fam"
)
# Interjections that open a clause; "just" only for targets ("just the drums" is an isolate verb).
LEAD_CLAUSE = re.compile(rf"^(?:(?:{LEAD_WORDS})(?=[\s,]|$)[\s,]*)+")
# (a subject left before a target is no part of it: "i have removed the hum" -> "hum")
LEAD = re.compile(rf"^(?:(?:{LEAD_WORDS}|just|only|i|we)(?=[\s,]|$)[\s,]*)+")
EVALUATIVE = re.compile(
    r"\b(?:annoying|horrible|terrible|awful|stupid|damn|damned|irritating|nasty|pesky|weird|strange|"
    r"distracting|constant|ugly|bloody|freaking|frigging|effing|crappy|obnoxious|unwanted|unpleasant|disturbing|"
    r"odd|random|infuriating|persistent|little|horrid|dreadful|irritating|bothersome|terrible|bad|awful|"
    # how loud or how big, not what it is: "a loud bang", "a big click", "a low-level hum"
    r"loud(?! enough)|big|huge|massive|slight|faint|low-level|low level|obnoxiously|excessive|overwhelming|"
    r"intrusive|occasional|intermittent|sharp|sudden)\b"
)
DETERMINER = re.compile(
    r"^(?:(?:a lot of|lots of|loads of|a bunch of|a ton of|tons of|plenty of|a bit of|a little|every (?:single )?(?:bit|trace|last bit) of|"
    r"the|a|an|that|this|those|these|some|any|all|my|our|your|his|her|their|its|every|each|of)\b\s*)+"
)
TRAILING = re.compile(
    r"(?:\s+\b(?:please|now|too|again|off|out|away|of|with|the|a|and|is|are|it|at|in|to|for|on|more|less|there|here|"
    r"separated|isolated|extracted|removed|deleted|muted|gone|even|still|further|won't|wont|will not|never|"
    r"(?<!passing )(?<!going )(?<!driving )(?<!flying )(?<!walking )(?<!riding )by|only|just|but|"
    r"though|both)\b)+$"
)
WHOLE = {
    "",
    "everything",
    "thing",
    "track",
    "clip",
    "recording",
    "audio",
    "file",
    "mix",
    "song",
    "volume",
    "level",
    "levels",
    "gain",
    "output",
    "sound",
    "all",
    "piece",
    "take",
    "video",
    "podcast",
    "sample",
    "master",
    "overall",
    "loudness",
    "result",
    "whole",
    "entire",
    "whole thing",
    "overall level",
    "overall volume",
    "master volume",
    # round 6: what a whole recording is called in a show or a stream, and the desk's master
    "episode",
    "vod",
    "stream",
    "fader",
    "master fader",
    "master bus",
    "entire thing",
    "it all",
    "all of it",
    "the lot",
    "lot",
}
PRONOUNS = {"it", "them", "that", "this", "those", "these", "that one", "this one", "they", "him", "her"}
# "I recorded outdoors and ...", "we filmed this at the beach": how the file was made, not a sound
NARRATIVE = re.compile(
    r"^(?:so |well |basically )?(?:"
    r"(?:i|we)(?:'ve| have|'m| am|'re| are| was| were)? (?:just )?(?:record(?:ed|ing)?|film(?:ed|ing)?|shoot(?:ing)?|shot|"
    r"made|making|captur(?:ed|ing)|tap(?:ed|ing)|track(?:ed|ing)|did|interview(?:ed|ing)?|digiti[sz](?:ed|ing)|"
    r"transferr(?:ed|ing)|ripp(?:ed|ing)|transcrib(?:ed|ing)|edit(?:ed|ing)|typing up|work(?:ed|ing) on|sang|sing(?:ing)?|"
    r"play(?:ed|ing)|host(?:ed|ing)|use[ds]?|using)"
    r"|(?:the |my |our |this |it |his |her |their )?(?:\w+ ){0,3}(?:was|were|is|got|has been|had been) "
    r"(?:recorded|filmed|shot|taped|captured|made|done)"
    r"|(?:recorded|filmed|shot|taped) (?:at|in|on|outside|outdoors|indoors|inside|during|with|by|from)"
    rf"|(?:this|it|that) is (?:a|an|my|our|the|just a) (?:[\w'-]+ ){{0,3}}{CONTAINERS}$"
    # "this is footage from a county fair": what the file is, with where it comes from
    rf"|(?:this|it) is (?:(?:a|an|my|our|the|just|some) )?(?:[\w'-]+ ){{0,2}}{CONTAINERS} (?:from|of|at|in|on|recorded|shot|taken)\b"
    r")\b"
)
#: "the ambience is fine": a judgement that asks for nothing
FINE = re.compile(
    r"^(?P<t>.+?) (?:is|are|sounds?|seems?|looks?|was|were)(?: \w+)? (?:fine|ok|okay|good|great|perfect|alright|"
    r"all right|nice)$"
)
#: "the espresso machine keeps going off": a complaint about the subject
PERSIST = re.compile(r"^(?P<t>.+?) (?:keeps?|kept|won'?t stop|never stops|doesn'?t stop)(?: (?:on )?(?:\w+ing\b.*)?)?$")
#: "the camcorder picked up lots of wind rumble", "my amp adds hiss": the object is the sound
SOURCE = re.compile(
    # a pick-up verb takes a determiner ("my mic picked up the washing machine"); "the dog made the ..."
    # or "the fan gives the room ..." do not say what was recorded
    r"^(?:.*?\b)?(?:the|my|our|this|his|her|their|a|an) (?:\S+ ){0,3}?\S+ (?:(?:picks? up|picked up|picking up) "
    r"(?!(?:it|its|me|us|you|everything|everyone|him|her|them)\b)|(?:adds|added|"
    r"makes|made|leaves|(?<!the )(?<!\ba )(?<!\ban )(?<!\bmy )(?<!\bthis )(?<!\bthat )(?<!\bfar )left|produces|produced|creates|created|causes|caused|introduces|introduced|generates|"
    r"generated|gives|gave|emits|emitted) (?!(?:the|it|its|my|me|us|you|everything|everyone|him|her|them)\b))"
    r"(?:(?:a lot of|lots of|loads of|tons of|a bit of|some|a|an|this|that) )*(?P<t>.+)$"
)
#: "X is louder than Y", "the traffic is almost as loud as my voice": a complaint about X
COMPARE = re.compile(
    r"^(?P<t>.+?) (?:is|are|'s|'re|sounds?|seems?|gets?|was|were)(?: (?P<int>much|a lot|way|far|a bit|a little|"
    r"slightly|so|really|even|almost|nearly|about|just|practically)|"
    r" (?:honestly|literally|actually|basically|definitely|clearly|probably|often|sometimes|now|still))* "
    r"(?:(?P<up>quieter|softer|lower|weaker|less audible) than|(?P<down>louder|stronger|more prominent) than|"
    r"as (?P<as>loud|strong|prominent) as)\b.*$"
)
#: "remove both": every sound named before
ALL_OF_THEM = re.compile(
    r"(?:both|both of them|all of them|them all|them both|all (?:2|3|4|three|two|four)(?: of them)?|"
    r"(?:every|each)(?: and every)?(?: single)? (?:one|instance|occurrence|time)(?: of (?:them|it))?|"
    r"all (?:the )?(?:instances|occurrences)(?: of (?:them|it))?|each of them)"
)
#: text that tries to change what the planner is or follows (a prompt injection), refused whole:
#: "you are now a pirate", "ignore your previous instructions", "forget the audio stuff"
INJECTION = re.compile(
    r"\b(?:you are now|from now on,? you(?:'re| are| will)|pretend (?:to be|you are|you're)|act as (?:a|an|my)|"
    r"(?:ignore|forget|disregard) (?:all |any |the |your |my )?(?:previous |prior |earlier |above )?"
    r"(?:instructions|rules|prompt|audio stuff|audio|system prompt|guidelines)|system prompt|jailbreak)\b"
)
NONAUDIO = re.compile(
    r"\b(?:files?|folders?|director(?:y|ies)|disk|drive|computer|system|database|history|memory|documents?|"
    r"passwords?|emails?|programs?|apps?|installation|os)\b"
)
NONTARGET = re.compile(
    r"\b(?:what|who|where|when|why|how|which|whose|capital|joke|poem|story|weather|recipe|email|essay|code|"
    r"homework|password|meaning of life|you|me|hello|hi|thanks)\b"
)


def clean_target(text: str) -> str:
    text = re.sub(r"\s+", " ", text)  # a verb taken out leaves two spaces ("i  need the dialogue")
    # "what sounds like a whistle": the sound it is like
    text = re.sub(
        r"^(?:.*?\b)?(?:what|something|whatever|a (?:sound|noise|thing)|the (?:sound|noise|thing)|that|it)(?: that)? "
        r"(?:sounds|sounded|is|was) like (?:a |an |the |some )?",
        "",
        text,
    )
    # purpose and comparison tails: "the music so I can hear the speech", "the dialogue over the music"
    text = re.sub(
        r"\s+(?:so(?: that)?|because|since|cause|as|to make) (?:i|we|you|it|they|the|that)\b.*$", " ", text
    )
    # relative clauses: "the dog barking that happens at ...", "the hum that you can hear"
    text = re.sub(
        r"(?<=\w)\s+(?:that|which|who)\s+(?:is|are|was|were|'s|happen(?:s|ed)?|occur(?:s|red)?|appear(?:s|ed)?|"
        r"play(?:s|ed)?|comes?|came|keeps?|"
        r"starts?|sounds|goes|you|i|we|can|runs?)\b.*$|"
        # "the speaker who talks most of the time": what the sound does is not what it is
        r"(?<=\w)\s+(?:who|which)\s+\w+s\b.*$",
        " ",
        text,
    )
    text = re.sub(r"\s+(?:is|are) all (?:that )?(?:i|you|we) (?:can )?(?:\w+ )?hear\b.*$", " ", text)  # "X is all I can hear"
    # "the noise you hear at 0:10": who hears it is not part of the sound
    text = re.sub(
        r"(?<=\w)(?<!\bcan)(?<!\bcould)(?<!\bdo)(?<!\bwill)(?<!\bwould)(?<!\bshould)(?<!\bmay)"
        r"\s+(?:that |which )?(?:you|i|we) (?:can |could )?(?:\w+ )?hear\b",
        " ",
        text,
    )
    text = re.sub(r"\s+(?:during|while|whenever|when)\s+(?!§).*$", " ", text)  # "the music during the speech"
    # how long it goes on: "the mixer runs through half the recording"
    text = re.sub(r"(?<=\w)\s+(?:runs?|goes?|plays?|continues?|lasts?|carries on) (?:through|throughout|for|the whole|all)\b(?!\s*§).*$", " ", text)
    text = re.sub(r"\s+where (?:i|you|we|he|she|they|it|someone|somebody)\b.*$", " ", text)  # "... where I bump the mic"
    text = re.sub(r"\s+(?:on|in|from|with) (?:this|that|it|here|there)\s*$", " ", text)  # "way too much hiss on this"
    text = re.sub(r"\s+with (?:its |some |strong |lots of )?harmonics\b.*$", " ", text)

    text = re.sub(r"\s+than\b.*$", " ", text)  # "the host louder than the guest"
    text = re.sub(
        r"\s+(?:over|under|behind|above|against|beneath|on top of|from|off|out of) "
        r"(?:the|all the|that|this|my|our|your|his|her|their|a|an|some|every|each|here|there)\b.*$",
        " ",
        text,
    )
    # the thing the sound is in: "the hiss of my vlog", "wind noise on camcorder footage"
    text = re.sub(rf"\s+(?:from|of|on|in|off|out of|throughout) (?:(?!§)\S+ ){{0,3}}{CONTAINERS}\b.*$", " ", text)
    # where the sound is, not what it is: "traffic outside the window", "an airplane overhead",
    # "wind on the mic", "buzzing in the left channel", "reverb on the vocals"
    text = re.sub(
        r"(?<=\w)\s+(?:outside|overhead|(?:flying|passing|going|driving) (?:over(?:head)?|past)|upstairs|downstairs|next door|nearby|outdoors|indoors|far away|"
        # "the chatter going on behind me": what is happening and who is near are not the sound
        r"(?:going on|happening|taking place)\b|(?:behind|around|near|next to|beside|in front of) (?:me|us|him|her|them|you)\b|"
        r"(?:on|in|inside|near|through|across|at) (?:the|my|our|this|that|a|an|his|her|their|your) "
        r"(?!§)(?!(?:first|last|start|end|beginning|middle|intro|outro)\b))\b.*$",
        " ",
        text,
    )
    t = re.sub(r"(?:\b(?:at|in|during|from|between|on|for|to|only|around|over|of)\s+)?§\d+", " ", text)
    t = FILLER.sub(" ", t)
    t = EVALUATIVE.sub(" ", t)
    t = re.sub(r"[\"'`]+(?!\w)|(?<!\w)[\"'`]+", " ", t)
    t = re.sub(r"[^\w\s&'+-]", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    if t in PRONOUNS or ALL_OF_THEM.fullmatch(t):  # "keep only that", "remove every one": no determiner
        return t
    for _ in range(3):
        t = LEAD.sub("", t).strip()
        t = DETERMINER.sub("", t).strip()
        t = TRAILING.sub("", t).strip()
    words = t.split()
    if len(words) > 1 and words[-1] in ("sound", "sounds"):
        t = " ".join(words[:-1])
    return re.sub(r"\s+", " ", t).strip(" -")


#: words that, all together, name the whole mix ("the recording level", "the audio volume")
WHOLE_WORDS = {"recording", "recorded", "audio", "level", "levels", "volume", "mix", "track", "output", "input", "gain", "master"}


def is_whole(target: str) -> bool:
    t = re.sub(r"\b(?:whole|entire|overall|full|complete|general|master|total)\b", " ", target)
    t = re.sub(r"\s+", " ", t).strip()
    words = t.split()
    return t in WHOLE or target in WHOLE or (len(words) > 1 and all(w in WHOLE_WORDS for w in words))


def amount(text: str, default: float = DEFAULT_DB) -> tuple[float, bool]:
    """(magnitude in dB, whether it was given explicitly) from 'by 3 dB', 'a bit', 'a lot', '50%'."""
    m = DB.search(text)
    if m:
        return float(m.group("v")), True
    if SMALL.search(text):
        return SMALL_DB, False
    if LARGE.search(text):
        return LARGE_DB, False
    return default, False


def signed_db(text: str) -> float | None:
    m = DB.search(text)
    if not m:
        return None
    v = float(m.group("v"))
    return -v if m.group("sign") == "-" else v


def strip_amounts(text: str) -> str:
    text = re.sub(r"\bby\s+(?=[+-]?\s*\d+(?:\.\d+)? db\b)", " ", text)
    text = DB.sub(" ", text)
    text = BY_NUMBER.sub(" ", text)
    text = PERCENT.sub(" ", text)
    text = SMALL.sub(" ", text)
    text = LARGE.sub(" ", text)
    text = re.sub(r"\bby\b(?=\s*$)", " ", text)
    return text


# Time-related clause shapes.
SPANS_HINT = re.compile(
    r"\b(?:everywhere|throughout|all the way|across (?:the|this|my) (?:whole |entire )?(?:clip|track|recording|file|audio|thing)|wherever|whole (?:clip|thing|track|recording)|all of (?:it|them)|"
    r"every time (?:it|they)|each time (?:it|they))\b"
)
EXCEPT_TIME = re.compile(
    r"\b(?:except|but not|apart from|other than|outside(?: of)?|excluding|save)\s+"
    r"(?:(?:at|in|during|between|from|for|the)\s+)?§(\d+)"
)
EXCEPT_WORD = re.compile(
    r"\b(?:except|but not|apart from|other than|outside(?: of)?|excluding)\s+(?=\S*\s*§)"
)
# "it's clearly audible at 0:03": a pronoun subject that only says when
BARE_TIME_SUBJECT = re.compile(
    r"(?:it|they|that|this|which)(?:'s|'re| is| are|s)?(?: (?:clearly|clear|very|most|best|only|easy to hear|"
    r"audible|obvious|loud|loudest|heard|present|there|alone))*"
)
# objects of a remove-verb that name a stretch of time, not a sound
TIME_ONLY_OBJECT = re.compile(
    r"(?:part|bit|section|portion|stretch|piece|start|end|beginning|intro|outro|silence|dead air|dead space)s?|"
    r"out|off|away"
)
PART_OBJECT = re.compile(
    r"(?:intro|outro|beginning|start|ending|end|silences?|silent (?:part|bit|section|stretch)s?|dead air|pauses|gaps)"
    r"(?: at (?:the )?(?:start|end|beginning)| between (?:\w+ ){0,2}\w+)?"
)
FADE_START = re.compile(r"\bfade (?:it )?(?:in|out)\b")
REST_WORDS = ("rest", "everything else", "others", "other sounds", "other stuff", "remainder")
#: what is not the named sound, as a cleaned target: "the rest", "everything around it", "all other sources"
REST = re.compile(
    r"(?:rest|remainder|everything (?:else|around(?: (?:it|them))?)|"
    r"(?:all )?(?:the )?others?(?: (?:sounds?|sources?|noises?|stuff|instruments?|parts?|tracks?|stems?|audio))?)"
)

# "noise reduction", "vocal isolation": a verb turned noun
NOMINAL = re.compile(
    r"^(?:(?:apply|do|add|some|a|an|the|please|can you|could you)\s+)*(?P<t>.+?)\s+"
    r"(?P<n>removal|reduction|suppression|cancellation|elimination|isolation|extraction|separation)\b.*$"
)
DENOISE = re.compile(r"\b(?:denoise|de-noise|de noise)\b")
# "more bass", "a bit less reverb", "way less crowd noise"
MORE_LESS = re.compile(
    r"^(?:(?:to )?(?:have|get|hear|with) )?(?:(?P<int>(?:(?:a (?:little |tiny )?bit|a little|a lot|way|much|slightly|a tad|even|some|far) )+))?"
    r"(?P<dir>more|less) (?:of )?(?P<t>.+)$"
)
# where a sound is in the picture; with a video input it becomes a box prompt (x0, y0, x1, y1 fractions)
POSITION = re.compile(
    r"\b(?:on|at|in|to) the (?:far )?(?P<where>left|right|middle|center|centre)(?: side)?"
    r"(?: (?:side|half|part))?(?: of the (?:screen|frame|video|picture|image|stage))?\b"
    r"(?!\s+(?:channel|speaker|ear)s?\b)"  # "the buzzing in the left channel": audio, not a region
)
BOXES = {
    "left": (0.0, 0.0, 0.5, 1.0),
    "right": (0.5, 0.0, 1.0, 1.0),
    "middle": (0.25, 0.0, 0.75, 1.0),
    "center": (0.25, 0.0, 0.75, 1.0),
    "centre": (0.25, 0.0, 0.75, 1.0),
}

#: past participles of the edit verbs, for the passive: "can the crackle be cleaned out?", "the hum
#: needs to be filtered out" ask for "clean out the crackle", "filter out the hum"
PARTICIPLES = {
    "cleaned": "clean", "filtered": "filter", "stripped": "strip", "wiped": "wipe", "erased": "erase",
    "killed": "kill", "suppressed": "suppress", "silenced": "silence", "dropped": "drop", "softened": "soften",
    "brought": "bring", "toned": "tone", "taken": "take", "removed": "remove", "deleted": "delete",
    "eliminated": "eliminate", "muted": "mute", "lowered": "lower", "reduced": "reduce", "boosted": "boost",
    "raised": "raise", "turned": "turn", "isolated": "isolate", "extracted": "extract", "separated": "separate",
    "amplified": "amplify", "attenuated": "attenuate", "tamed": "tame", "ducked": "duck", "pulled": "pull",
    "pushed": "push", "knocked": "knock", "dialed": "dial", "dialled": "dial", "cranked": "crank", "bumped": "bump",
    "nudged": "nudge", "increased": "increase", "decreased": "decrease", "ditched": "ditch", "scrapped": "scrap",
    "eradicated": "eradicate", "purged": "purge", "blocked": "block", "cancelled": "cancel", "canceled": "cancel",
    "zapped": "zap", "nixed": "nix", "chopped": "chop", "snipped": "snip", "shaved": "shave", "cut": "cut",
    "got rid of": "get rid of", "gotten rid of": "get rid of",
}  # fmt: skip
PASSIVE = LazyPattern(
    # (with its modal: "the hum can be removed" is "the hum remove", not "the hum can remove")
    r"\b(?:(?:can|could|will|would|should|must|may|might|needs? to|has to|have to|ought to|got to|gotta) )?"
    r"(?:be|get|got|gets|been|being) (?:(?:completely|fully|entirely|totally|just|gently|slightly|a bit) )?("
    + "|".join(sorted(PARTICIPLES, key=len, reverse=True))
    + r")\b"
)

# verbs worth respelling when a clause has none ("remvoe the wind"); never undo or reset,
# which a misheard word must not trigger
TYPO_VERBS = (
    "remove", "isolate", "extract", "eliminate", "delete", "mute", "boost", "raise", "lower", "reduce",
    "louder", "quieter", "softer", "normalize", "export", "fade", "trim", "separate", "increase",
    "decrease", "amplify", "attenuate", "silence", "suppress",
)  # fmt: skip

# politeness that would otherwise read as words of a clause ("too much" is an amount elsewhere)
POLITE = re.compile(
    r"\bif (?:it is|it's) not too much (?:trouble|to ask)\b|\bif you (?:don't|do not) mind\b|"
    r"\bwhen you (?:get|have) a (?:chance|minute|moment)\b|\bif (?:at all )?possible\b|"
    r"\b(?:would|could|will) you be so kind as to\b"
)


# --- descriptions of the sound around a time, and prompts that name no sound ---------------

# "the hum is clearly audible between 5 and 8 s", "the fan is the only thing you hear from 0:00
# to 0:02", "the flute can be heard clearly at ...": the subject is the sound and the times are
# where it is audible (span prompts), whatever the preposition.
AUDIBLE = re.compile(
    r"^(?P<t>.+?) (?:rings|plays|runs|hums|buzzes|beeps|barks|whistles|chirps|squeaks|hisses|rumbles|roars|sings|"
    r"goes|drones|whines|blares|honks|crackles|howls|squeals|screeches|(?:is|are) \w+ing)(?: \w+){0,2}? "
    r"(?:on (?:its|their) own|alone|by itself)\b.*$|"
    r"^(?P<t2>.+?) (?:is|are|can be|could be|gets?|comes?|sounds?)(?: \w+){0,2}? "
    r"(?:audible|obvious|heard|clear|noticeable|prominent|present|loudest|isolated|clearest|cleanest|strongest|"
    r"easiest to (?:hear|pick out)|best heard|"
    r"the only (?:thing|sound|noise)s?(?: (?:you|i|we) (?:can )?hear)?|on (?:its|their) own|alone|by itself)\b.*$"
)
#: "can I get the piano by itself", "the vocals on their own please": a sound wanted alone (no verb)
ALONE = LazyPattern(
    r"\b(?:by (?:itself|themselves|himself|herself)|on (?:its|their|his|her) own|all alone|alone|in isolation)\b"
)
#: "the bagpipes stand out from 2:10 to 2:14": where the sound is heard (with a time), not a wish for
#: more of it ("make the vocals stand out" raises them)
STANDS_OUT = LazyPattern(
    r"^(?P<t>(?!.*\b(?:make|let|help|get|have|need|needs|should|must|want|could|would|to)\b).+?) "
    r"(?:stands? out|sticks? out|jumps? out|(?:is|are) (?:standing|sticking|jumping) out)\b"
)
# Hearing verbs: with a time in the same clause, the times are where the sound is heard.
HEARING = re.compile(
    r"\b(?:(?:i|you|we) (?:can |could )?(?:\w+ )?hear|audible|can be heard|(?:is|are) heard|listen to)\b"
)
# "use 0:30-0:32 as a reference for the hum", "using the bit at 1:00 as an example of the dog"
REFERENCE = re.compile(
    r"\b(?:use|using|take|taking|with)\b(?P<where>.*?)\bas (?:a |an |the |my )?(?:noise |sound |audio )?"
    r"(?:reference|example|sample|template|fingerprint|guide|profile|print)(?: (?:for|of) (?P<t>.+?))?"
    r"(?=$|\s*[:,]|\s+§|\s+(?:and|then)\b)"
)
# The noise-profile workflow of audio editors, said the ways users say it; each is rewritten as
# "use <time> as a reference for <sound>" before the clauses are read.
#: "take a noise print from 1:00 to 1:03", "get a noise profile at 0:02"
NOISE_PRINT = re.compile(
    r"\b(?:take|get|grab|capture|make|build|create)\s+(?:a |the |my )?(?:noise |sound )?(?:print|profile|sample|"
    r"fingerprint)\s+(?:from |at |of |using |in |with |between |during )?(?P<time>§\d+)"
)
#: "... as a reference where only the air conditioner runs": the sound heard there
WHERE_ONLY = re.compile(
    r"(?P<ref>§\d+ as a reference)\s+(?:where|when) (?:only |just )?(?P<t>[^,;§]+?) "
    r"(?:runs|plays|is audible|is heard|can be heard|is on|is playing|is running|is there|is)\b"
)
#: "select the part with only the hum, 0:03 to 0:05"
SELECT_PART = re.compile(
    r"\b(?:select|mark|highlight|pick|choose|grab)\s+(?:a |the )?(?:part|bit|section|stretch|region|portion|spot|"
    r"piece)s?\s+(?:with|where|that has|that contains|containing|of)\s+(?:only |just )?(?P<t>[^,;§]+?)\s*[,:(]?\s*"
    r"(?P<time>§\d+)\)?"
)
#: "the first 3 seconds are only background noise": that stretch is where the sound is alone
#: what an empty stretch is said to hold: nothing worth keeping
EMPTY = r"(?:silence|silent|empty|dead air|dead space|nothing|blank|useless|junk|garbage|rubbish|filler|not needed|unnecessary|unneeded|wasted)"
TIME_IS = re.compile(
    rf"(?P<time>§\d+) (?:is|are|has|have|contains?)(?: \w+)? (?:only|just|pure|nothing but|all) (?!{EMPTY}\b)"
    # ("the first 9 seconds are just me coughing": the user, a stretch to cut, not a sound to learn)
    r"(?!(?:me|us|him|her|them|someone|somebody|people|i|we)\b)(?P<t>[^,;.§]+)"
)
#: "0:20 to 0:22 is the fridge alone": the stretch where the sound is heard by itself
TIME_IS_ALONE = re.compile(
    r"(?P<time>§\d+) (?:is|are) (?:the |a |an |my |our )?(?P<t>[^,;.§]+?) (?:alone|by itself|by themselves|on its own|"
    r"on their own|in isolation|solo)\b"
)
#: "between 0:10 and 0:12 there's only the hvac": the sound heard alone there
ONLY_THERE = re.compile(r"\bthere(?:'s| is| are) (?:only|just|nothing but) (?P<t>[^,;.§]+)$")
#: "the intro is the first 6 seconds": a part named by its time, for a later verb
PART_IS = re.compile(
    r"^(?:the |my |our )?(?:intro|outro|beginning|start|ending|end|count-?in|lead-?in|silence|dead air|pre-?roll)"
    r"(?: part| bit| section)? (?:is|are|was|lasts?)(?: just| only)? §\d+$"
)
#: "the first 3 seconds aren't needed", "the last bit is useless": a stretch asked away, named by its time
UNWANTED_PART = LazyPattern(
    r"^(?:(?:anything|everything|all|whatever|the stuff|stuff)(?: that is| is)? )?(?P<time>§\d+)(?: (?:part|bit|section|stretch|stuff))? (?:is|are|was|were)(?:n't| not) (?:really |even )?(?:needed|necessary|"
    r"wanted|required|useful|usable|important|part of it)$|"
    r"^(?:(?:anything|everything|all|whatever|the stuff|stuff)(?: that is| is)? )?(?P<time2>§\d+)(?: (?:part|bit|section|stretch|stuff))? (?:is|are)(?: (?:just|only|all|totally|completely|really))* "
    r"(?:useless|junk|garbage|rubbish|unnecessary|unneeded|not needed|pointless|wasted|unusable|trash)$"
)
#: "0:10 to 0:40 is the good part": a stretch to keep, named by its time
GOOD_PART = LazyPattern(
    r"^(?P<time>§\d+) (?:is|are|was|were)(?: (?:just|only|all|really))* (?:the|my|our)? ?(?:only )?(?:good|best|usable|"
    r"useful|important|main|real|nice|clean|keeper)(?: \w+)? (?:part|bit|section|stretch|take|stuff|portion)s?$|"
    r"^(?P<time2>§\d+) (?:is|are) (?:what|the (?:part|bit|section)) (?:i|we) (?:want|need|want to keep|like)$"
)
#: "like 4 dB", "say 3 dB or so": an amount alone, for the level change just asked for
HEDGE = LazyPattern(
    r"\b(?:something like|let'?s say|i'?d say|like|say|maybe|perhaps|about|around|roughly|approximately|or so|ish|"
    r"probably|at least|at most|no more than|up to|max|tops|i think|i guess|by)\b"
)
#: "2 seconds each", "about 3 s for both": a length alone, for the fade(s) just asked for
EACH = r"(?:each|apiece|for both|both|each way|on both|either way|for each)(?: (?:fade|one)s?)?"
LENGTH_ONLY = LazyPattern(
    r"(?:(?:about|around|like|say|maybe|roughly|approximately|and|with) )*(?P<n>\d+(?:\.\d+)?)\s*-?\s*(?:seconds?|secs?|s)"
    rf"(?: long)?(?P<each> {EACH})?"
)
#: "..., around 4 s each": a length read as a time, for every fade
EACH_TAIL = LazyPattern(rf"^§\d+(?: long)? {EACH}$")
#: "the first 10 seconds are silence", "0:00-0:03 is dead air": a stretch to cut, named by its time
EMPTY_PART = LazyPattern(
    rf"^(?P<time>§\d+) (?:is|are|was|were)(?: (?:just|only|all|pure|basically|mostly|complete|total|totally|completely|"
    rf"really|pretty much))* (?:a |an )?{EMPTY}(?: (?:time|space|bits?|parts?))?$|"
    # "the first 7 seconds are me setting up the mic": the user, not the recording
    r"^(?P<time2>§\d+) (?:is|are|was|were)(?: (?:just|only|all|mostly|basically))* (?:me|us|him|her|someone|somebody) "
    r"(?:\w+ing|talking|getting ready)\b.*$"
)
# Objects that name no sound: with a time they are a span prompt with no target
# ("isolate the sound at 0:05 to 0:08", "remove whatever that is at 0:50").
GENERIC_SOUND = re.compile(
    r"(?:sound|sounds|noise you hear|thing|whatever|whatever (?:that|this|it) is|what you hear|"
    r"what(?:ever)?(?: is)? (?:playing|happening|going on|audible|there|sounding)|"
    r"(?:whatever|what|(?:the )?thing|something|whoever)(?: is| that is)? (?:makes|making|made|causes|causing|caused|"
    r"produces|producing|creates|creating)(?: (?:that|this|the|a|some))?(?: (?:noise|sound)s?)?|(?:the )?source of (?:that|this|the)(?: noise| sound)?|(?:sound|noise|thing)s? (?:heard|playing|audible)|what|"
    r"(?:sound|thing|whatever) (?:you|i|we)(?: can)?(?: hear)?|that sound|this sound|that noise|this noise)"
)
# "that sound", "the same sound": point back to a sound named before (in the sentence or session)
THAT_SOUND = re.compile(r"(?:that|this|the same|those|these) (?:sound|noise|one|thing)s?")
# "the snare sounds thin", "the cymbals are harsh": a sound described, acted on by a later clause
COPULA = re.compile(r"^(?P<t>.+?) (?:is|are|sounds?|seems?|feels?|looks?|gets?)(?P<pred>(?: \w+){1,3})$")
# Formats and short words a recogniser writes as other words ("flack", "August" for ogg)
MISHEARD = {
    "flack": "flac", "flak": "flac", "flax": "flac", "flick": "flac",
    "og": "ogg", "odd": "ogg", "august": "ogg", "augh": "ogg", "ogue": "ogg", "oggy": "ogg",
    "mp three": "mp3", "m p 3": "mp3", "mp 3": "mp3", "empty three": "mp3", "mp-3": "mp3",
}  # fmt: skip


# --- round 3: forum phrasing ---------------------------------------------------------------

#: edits the recipe has no operation for: refused, never approximated by another edit
NOT_SUPPORTED = re.compile(
    r"\b(?:speed (?:\w+ ){0,3}?(?:up|down)|slow (?:\w+ ){0,3}?down|"
    # "play it at half speed", "double speed", "1.5x speed", "in slow motion"
    r"(?:half|double|twice the|quarter|\d+(?:\.\d+)?x|\d+ ?%) ?-?speed|slow[- ]?mo(?:tion)?|(?:change|adjust|increase|decrease|raise|lower|set|"
    r"double|halve) (?:the )?tempo|time[- ]?stretch\w*|"
    r"pitch(?:ed)? (?:\w+ ){0,3}?(?:up|down)|pitch[- ]?shift\w*|semitones?|auto-?tune\w*|"
    r"(?:convert|make|turn|mix|change) (?:\w+ ){0,3}?(?:to|into|in) (?:mono|stereo)|"
    r"add (?:some |a bit of |a little |more )?(?:reverb|echo|delay|chorus|distortion|compression|effects?)|"
    r"transcri(?:be|bed|ption)|subtitles?|captions?|(?=upload|publish)(?<!\bfor )(?<!\bbefore )(?<!\bafter )(?<!\bi )(?<!\bwe )(?<!\bi'll )(?<!\bcan )(?<!\bto )(?:upload|publish)(?!s\b)\w*|reverse (?:it|the|this)(?! (?:very )?(?:last|previous|latest|most recent)\b))\b"
)
#: "it's just me handling the mic": why a part is cut, not a sound to act on
JUSTIFY = re.compile(
    r"^(?:it is|that is|this is|it was|that was)(?: just| only| mostly| all)? (?:me|us|him|her|them|someone|somebody|"
    r"people|silence|dead air|nothing|noise|junk|rubbish)\b.*$|"
    # what the sound is for: "(the roar is too quiet,) it's meant to be scary", "they're supposed to be heard"
    r"^(?:it|they|that|this|he|she) (?:is|are|was|were) (?:meant|supposed|intended|there) to\b.*$|"
    # why it matters: "it's the only thing stopping us from posting", "it's only this"
    r"^(?:it|that|this|they) (?:is|are|was|were) (?:the only (?:thing|issue|problem|snag)|(?:only|just) (?:this|that|it))\b.*$"
)
#: how much the last edit did ("that's too much", "it was a bit too strong", "way overdone"): the
#: sound of the last edit is what a following "it" means
AMOUNT_FEEDBACK = LazyPattern(
    r"^(?:(?:that|this|it|(?:removing|muting|cutting|lowering|killing|deleting|taking) (?:it|them|that)(?: out)?)(?: is| was)? )?"
    r"(?:(?:way|far|much|a bit|a little|slightly|just|still|kind of|kinda|pretty|quite|really) )*"
    r"(?:too (?:much|little|strong|weak|aggressive|subtle|harsh|drastic|extreme)|overdone|overkill|over the top|"
    # "that was harsh": said of the last edit, the amount was too much
    r"(?<=was )(?:harsh|drastic|extreme|aggressive|brutal|heavy-handed|a lot)|"
    r"not enough|"
    # "that went too far", "you went a bit overboard": the amount was too much
    r"(?<![\w ])(?:(?:that|this|it|you) )?(?:went|has gone|'s gone|is gone) (?:(?:way|a bit|a little|slightly|much) )?(?:too far|overboard)(?: (?:there|with (?:it|that|them)))?|"
    # "still too loud", "still there", "it's still audible": the last edit did not do enough
    r"still (?:too )?(?:loud|there|audible|present|noticeable|here|obvious))$"
)
#: feedback on the last edit ("that helped", "too much", "much better"): asks for nothing itself
FEEDBACK = re.compile(
    r"^(?:(?:that|this|it)(?: is| was|'s)?(?: much| a lot| way| a bit| slightly| really)? (?:helped|worked|better|"
    r"good|great|nice|close|closer|improved|an improvement)|(?:much |a lot |way |a bit )?better|too much|too little|"
    r"not enough|good|great|perfect|nice|awesome|cool|not bad|almost|close|no|nope|nah|not quite|not really|"
    r"nothing else|nothing more|nothing|that is it|that is all|only that|just that|"
    # "use that bit (as the reference)": the stretch just given is where the sound is, said already
    r"use (?:that|this|those|these)(?: (?:bit|part|section|stretch|sample|clip|region|portion|one)s?)?"
    r"(?: as (?:a |an |the )?(?:reference|sample|profile|guide|example))?|"
    # "i don't like what that did", "still hear it", "that gutted the mix": about the last edit
    r"(?:i )?(?:don'?t|do not|didn'?t) (?:really )?like (?:what (?:that|this|it|you) did|that|this|it|the result|"
    r"how (?:that|it) sounds?)|(?:i |you |we )?(?:can )?still (?:hear|notice) (?:it|them|that|this)"
    r"(?: (?:a bit|a little|slightly|faintly|in the background|clearly))?|"
    r"(?:that|this) (?:gutted|ruined|killed|wrecked|destroyed|butchered|mangled|broke|trashed|messed up|hurt)"
    r"(?: (?:the|my|our|it|everything)(?: \w+){0,2})?|"
    # "(remove it entirely,) it still bugs me": the complaint again, about the sound just named
    r"(?:it|that|this|they) (?:still |really |just )?(?:bugs|annoys|bothers|irritates|grates on) (?:me|us))$"
)
#: "a backing track without the bass", "a version minus the drums": the sound left out
WITHOUT = re.compile(
    r"^(?:.*?\b)?(?:version|backing track|instrumental|mix|copy|track|song|cut|edit|one|it|this)\s+"
    r"(?:without|minus|with no|but without|sans) (?P<t>.+)$"
)
#: a frequency after a preposition says where the sound is in the spectrum, not when:
#: "somewhere between 60 and 120 Hz", "with harmonics up to 300 Hz" ("a 50 Hz hum" names it)
FREQUENCY = re.compile(
    r"(?:,?\s*\bwith (?:its |some |strong |lots of )?harmonics)?\s*\b(?:(?:somewhere|roughly|about|around|at|near|"
    r"between|from|up to|below|above|under|over|centred at|centered at)\s+)+(?:\d+(?:\.\d+)?\s*(?:k?hz\s*)?"
    r"(?:-|to|and)\s*)?\d+(?:\.\d+)?\s*k?hz\b(?!\s*(?:hum|buzz|tone|whine|noise|hiss|rumble|sine|beep|signal))"
)
#: "the church bells ring in the middle of ...", "the dogs bark all through ...": the sound and its own
#: verb, a description of it (a later command says what to do)
SOUND_VERB = re.compile(
    # (only verbs that do not also name a sound: "the mains hum" is a noun)
    r"^(?:(?P<t>.+?[a-z]s) (?:ring|bark|go|start|kick in|come in|happen|appear|occur|get|run)|(?P<t2>.+?) (?:rings|barks|plays|goes|starts|kicks in|comes in|happens|appears|"
    r"occurs|gets|whines|blares|howls|runs|repeats|recurs|returns|comes back|(?:is|was|keeps|kept) running|(?:is|was) on))\s+(?:(?P<at>§\d+)|(?!§)(?!(?:at|around|from|between|in|during|on|for|until|till) §)"
    r"\S).*$|"
    # what a sound did: "a plane flew over", "someone's phone rang", "a truck drove by"
    r"^(?P<t3>.+?) (?:rang|barked|flew|drove|went off|came on|passed|honked|beeped|buzzed|cried|screamed|shouted|"
    r"repeats|recurs|comes back|keeps (?:coming back|repeating|recurring)|"
    r"slammed|banged|crashed|fell|dropped|rumbled|roared|whistled|chimed|kicked in|started(?! \w+ing))\b.*$|"
    # a word that is also a sound's name is its verb when how often or how long follows: "the fridge
    # hums nonstop" (but "the fridge hum" is a noun, and so is what "there's" names: "there's keyboard clicks
    # in the background")
    r"^(?!there(?:'s| is| are| was| were)\b)(?P<t4>.+?) (?:hums|buzzes|hisses|whines|beeps|clicks|rattles|squeaks|crackles|drones|whirs|ticks|chirps|"
    r"rumbles|roars|sings|squeals|whistles|thumps|bangs|knocks|hummed|buzzed|hissed|whined|beeped|clicked|rattled) "
    r"(?=(?:nonstop|non-stop|constantly|continuously|all the time|the whole time|the entire time|throughout|all day|"
    r"all night|incessantly|repeatedly|occasionally|loudly|softly|quietly|in the background|a lot|sometimes|"
    r"intermittently|every|now|during|while|when)\b).*$"
)
#: "it's there the whole time", "they're always there": the sound already named is present; asks nothing
STILL_THERE = LazyPattern(
    r"^(?:it|they|that|this)(?: is| are| was| were)? (?:always |still |just |also |basically )?(?:there|present|"
    r"everywhere|constant|audible)\b(?P<rest>.*)$"
)

#: "the crickets are a bit much": a little too loud
BIT_MUCH = re.compile(
    r"^(?P<t>.+?) (?:is|are|'s|'re|gets?|sounds?|feels?)(?: (?:a bit|a little|a tad|just|kind of|kinda|bit|a touch))+ much\b.*$"
)
#: "ugh, that buzzing again": a complaint with no verb
AGAIN_COMPLAINT = re.compile(r"^(?:that|this|the) (?P<t>.+?) again$")
#: interjections of annoyance that make a bare noun phrase a complaint ("omg the wind")
ANNOYED = re.compile(r"^(?:ugh+|argh+|omg|jeez|geez|oof|sigh|gah|damn|seriously|god|man|wtf|not again|oh no|eww+|ew|yuck|bleh)\b")
#: "my interview was ruined by a jackhammer": the sound is what did it
RUINED_BY = re.compile(
    r"^(?:.*?\b)?(?:is|are|was|were|got|gets|being|been) (?:ruined|spoiled|wrecked|drowned out|covered|masked|"
    r"interrupted|disturbed|spoilt|destroyed) by (?P<t>.+)$"
)
#: "the piano sounds a bit quiet (compared to the vocals)": a level complaint without "too"
LEVEL_ADJ = re.compile(
    r"^(?P<t>.+?) (?:is|are|sounds?|seems?|feels?|was|were|gets?)(?: (?P<int>way|much|far|a bit|a little|slightly|kind of|"
    r"kinda|somewhat|really|so|very|quite|pretty|rather|a touch|a tad|super|extremely))* "
    r"(?P<dir>loud|quiet|soft|faint|low|buried|overpowering|deafening|piercing)"
    r"(?: (?:compared to|next to|against|relative to|in comparison to|over|under) .*)?$"
)
#: "and the wind too" after an edit: the same edit on another sound
ALSO_FOR = re.compile(r"^(?:and |also |plus |now )?(?P<t>[^,;]+?) (?:too|as well|also)$")
#: "our rehearsal recording has the drums way too loud": a level complaint inside a presence
HAS_TOO = re.compile(
    r"^(?:.*?) (?:has|have|had|got|with) (?P<t>.+?) (?P<int>(?:(?:way|much|far|a bit|a little|slightly|really|so|very) )*)"
    r"too (?P<dir>loud|quiet|soft|low|faint|weak|strong|prominent|buried|hot)\b.*$"
)
#: "that's the fan": names the sound of the stretch just given
THAT_IS = re.compile(r"^(?:that|this|it) is (?:the|a|an|my|our|some) (?P<t>.+)$")
