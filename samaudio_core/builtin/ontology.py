"""The sound kinds the built-in engine knows, and how a free-text prompt maps onto one.

Each :class:`SoundKind` names a separation method (see ``methods.py``), a frequency band
where the kind lives, and a few descriptions. A prompt is matched in two steps: whole-word
keywords first (cheap, exact: "60 hz hum", "dog barking"), then, when no keyword hits, the
packaged MiniLM sentence embeddings compare the prompt with every description, so unseen
words such as "rumble" or "chatter" still land on the right kind. The cosine similarity of
the best description is the match's confidence; below :data:`LOW_CONFIDENCE` the engine
warns and does less.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import embeddings  # embeddings.embed looked up per call: tests stand in for it

#: Below this cosine similarity an embedding match is a guess: warn and separate gently.
LOW_CONFIDENCE = 0.45


@dataclass(frozen=True)
class SoundKind:
    """One entry of the ontology.

    name : identifier reported in ``info["kind"]``
    category : coarse family (speech, music, environment, animals, alarms, noise)
    method : name of the mask method in ``methods.METHODS``
    band : (low, high) Hz where the kind's energy lives; a soft prior, not a brick wall
    keywords : whole words or phrases that select this kind directly
    descriptions : phrases embedded for matching unseen words
    """

    name: str
    category: str
    method: str
    band: tuple[float, float]
    keywords: tuple[str, ...]
    descriptions: tuple[str, ...]


def _kind(name: str, category: str, method: str, band: tuple[float, float], keywords: str, descriptions: str):
    """Build a kind from comma-separated keywords and semicolon-separated descriptions."""
    words = tuple(w.strip() for w in keywords.split(",") if w.strip())
    return SoundKind(name, category, method, band, words, tuple(d.strip() for d in descriptions.split(";")))


KINDS: tuple[SoundKind, ...] = (
    _kind(
        "speech",
        "speech",
        "speech",
        (70.0, 8000.0),
        "speech, speaking, speaker, talk, talking, voice, voices, dialogue, dialog, narration, narrator, "
        "conversation, man, woman, male, female, person, people talking, interview, podcast, announcer, "
        "words, whisper, whispering, child speaking, kid, baby, crying, laugh, laughing, laughter, "
        "scream, screaming, shout, shouting, yelling, cough, coughing, sneeze",
        "human speech; a man speaking; a woman talking; someone saying words; spoken dialogue; a narrator "
        "reading aloud; conversation between people; a voice on the phone",
    ),
    _kind(
        "singing",
        "music",
        "harmonic",
        (80.0, 8000.0),
        "singing, singer, vocals, vocal, choir, song voice, humming",
        "a person singing; lead vocals in a song; choir singing; a singer's voice",
    ),
    _kind(
        "crowd",
        "speech",
        "texture",
        (100.0, 6000.0),
        "crowd, babble, murmur, audience, restaurant, cafe, party, crowd noise",
        "crowd noise; many people talking at once; background chatter in a restaurant; murmur of an "
        "audience; babble of voices",
    ),
    _kind(
        "harmonic_instrument",
        "music",
        "harmonic",
        (50.0, 8000.0),
        "guitar, piano, violin, viola, cello, strings, organ, flute, clarinet, saxophone, sax, trumpet, "
        "horn section, trombone, synth, synthesizer, keyboard music, harp, accordion, bass guitar, bass, "
        "ukulele, banjo, mandolin, melody, chords, music, instrument, oboe, harmonica, bagpipes, "
        "xylophone, marimba, bells",
        "acoustic guitar; electric guitar playing chords; piano music; a violin melody; string "
        "instruments; a musical instrument playing notes; background music; synthesizer pad",
    ),
    _kind(
        "percussion",
        "music",
        "percussive",
        (40.0, 16000.0),
        "drum, drums, drummer, snare, kick, hi-hat, hihat, cymbal, cymbals, percussion, beat, tabla, "
        "conga, bongo, tambourine, drum kit, drumkit, tom, toms, shaker",
        "a drum kit playing a beat; snare and kick drum; hi-hat and cymbals; hand percussion",
    ),
    _kind(
        "stationary_noise",
        "noise",
        "stationary",
        (20.0, 20000.0),
        "hiss, hissing, static, white noise, pink noise, noise, background noise, tape hiss, fan, air "
        "conditioner, air conditioning, hvac, ventilation, computer fan, fridge, refrigerator, room tone, "
        "noise floor, hum of the fridge, vacuum, hairdryer, engine idle",
        "steady background hiss; white noise static; the whir of a fan; air conditioner noise; constant "
        "machine noise; tape hiss and electronic noise",
    ),
    _kind(
        "wind",
        "noise",
        "lowfreq",
        (20.0, 400.0),
        "wind, windy, gust, gusts, wind noise, breeze, handling noise, mic bumps, low frequency, low end, "
        "boom, thunder, earthquake, subsonic",
        "wind blowing into a microphone; low frequency rumble; gusts of wind; a deep rumbling sound; "
        "thunder rumbling in the distance; microphone handling noise",
    ),
    _kind(
        "hum",
        "noise",
        "hum",
        (40.0, 4000.0),
        "hum, humming noise, mains, mains hum, ground loop, 50 hz, 60 hz, 50hz, 60hz, electrical hum, "
        "buzz, buzzing, electrical buzz, transformer, power line",
        "mains electrical hum at 50 or 60 hertz; buzzing of a ground loop; a transformer humming; "
        "electrical buzz from a cable",
    ),
    _kind(
        "siren",
        "alarms",
        "tonal",
        (300.0, 5000.0),
        "siren, sirens, alarm, alarms, beep, beeping, beeps, smoke alarm, fire alarm, alarm clock, "
        "ringtone, ringing, phone ringing, whistle, whistling, horn, car horn, ambulance, police, fire "
        "truck, buzzer, chime, doorbell, bell, tone, sine",
        "a police siren wailing; an alarm beeping; a phone ringing; a whistle blowing; a car horn "
        "honking; an electronic tone",
    ),
    _kind(
        "bird",
        "animals",
        "foreground",
        (1200.0, 11000.0),
        "bird, birds, birdsong, chirp, chirping, tweet, tweeting, songbird, seagull, gull, crow, raven, "
        "owl, hawk, parrot, cricket, crickets, insect, insects, cicada, cicadas, frog, frogs, bee, bees, "
        "mosquito, fly, flies",
        "birds chirping; birdsong in the morning; a seagull calling; crickets chirping at night; frogs "
        "croaking",
    ),
    _kind(
        "animal",
        "animals",
        "foreground",
        (150.0, 6000.0),
        "dog, dogs, bark, barking, barks, cat, meow, meowing, purr, cow, moo, horse, neigh, sheep, goat, "
        "pig, oink, rooster, chicken, duck, quack, wolf, howl, howling, lion, roar, elephant, monkey, "
        "animal, animals, growl, growling",
        "a dog barking; a cat meowing; a cow mooing; a rooster crowing; a wolf howling; an animal calling",
    ),
    _kind(
        "impulsive",
        "environment",
        "impulsive",
        (60.0, 12000.0),
        "knock, knocking, door, slam, door slam, bang, gunshot, gun, shot, explosion, clap, clapping, "
        "footsteps, footstep, steps, glass, breaking, crash, clang, clank, rattle, rattling, metal, "
        "hammer, hammering, typing, keyboard, click, clicks, clicking, thud, pop, snap, tap, tapping, "
        "dishes, cutlery, keys",
        "a door slamming; knocking on a door; footsteps on a floor; glass breaking; metal objects "
        "rattling; a hammer hitting; typing on a keyboard; a gunshot",
    ),
    _kind(
        "texture",
        "environment",
        "texture",
        (80.0, 16000.0),
        "rain, raining, rainfall, drizzle, applause, cheering, cheer, water, stream, river, creek, "
        "waterfall, waves, ocean, sea, surf, fire, crackling, campfire, traffic, cars, road, city, "
        "street, sizzling, frying, shower, fountain, leaves, rustling, engine, machinery, train, "
        "airplane, helicopter",
        "rain falling; an audience applauding; a flowing river; ocean waves crashing; a crackling fire; "
        "traffic on a busy street; a dense texture of many small sounds",
    ),
)

KIND_BY_NAME = {k.name: k for k in KINDS}

#: Used when nothing matches and no embeddings are available: a non-stationary foreground
#: over a steady background is the most common meaning of "that sound".
GENERIC = SoundKind("generic", "unknown", "foreground", (60.0, 12000.0), (), ())

# Words that describe the request, not the sound: dropped before matching.
_FILLER = re.compile(
    r"\b(the|a|an|some|any|of|sound|sounds|noise of|remove|isolate|keep|only|extract|get rid of|"
    r"background|foreground|in the|from|that|this|please|just)\b"
)


@dataclass(frozen=True)
class KindMatch:
    """Result of matching a prompt: the kind, a 0..1 confidence and how it was found."""

    kind: SoundKind
    confidence: float
    how: str  # "keyword", "embedding" or "fallback"


def _normalise(text: str) -> str:
    s = text.lower().replace("-", " ").replace("_", " ")
    s = re.sub(r"(\d+)\s*(hz|hertz)", r"\1 hz", s)
    return re.sub(r"\s+", " ", s).strip()


def _keyword_match(text: str) -> SoundKind | None:
    s = _normalise(text)
    best, best_len = None, 0
    for kind in KINDS:
        for kw in kind.keywords:
            kw_n = _normalise(kw)
            # The longest matching keyword wins ("hum of the fridge" beats "hum").
            if len(kw_n) > best_len and re.search(rf"\b{re.escape(kw_n)}\b", s):
                best, best_len = kind, len(kw_n)
    # "50 hz" / "120hz" style prompts name hum even when the number is unusual.
    if best is None and re.search(r"\b\d+ hz\b", s):
        return KIND_BY_NAME["hum"]
    return best


#: Embeddings of every kind's phrases, shipped so matching needs one query, not ~350 phrases.
#: Rebuilt (and rewritten when the folder is writable) whenever the ontology changes.
_TABLE_PATH = Path(__file__).with_name("kind_embeddings.npz")


@lru_cache(maxsize=1)
def _description_table() -> tuple[np.ndarray, tuple[str, ...]]:
    phrases, owners = [], []
    for kind in KINDS:
        for p in (*kind.descriptions, *kind.keywords):
            phrases.append(p)
            owners.append(kind.name)
    try:
        with np.load(_TABLE_PATH) as z:
            if list(z["phrases"]) == phrases:
                return z["vectors"].astype(np.float32), tuple(owners)
    except (OSError, KeyError, ValueError):
        pass
    vecs = embeddings.embed(phrases)
    try:
        np.savez_compressed(_TABLE_PATH, phrases=np.array(phrases), vectors=vecs.astype(np.float16))
    except OSError:  # an installed, read-only package: just keep the table in memory
        pass
    return vecs, tuple(owners)


def _embedding_match(text: str) -> KindMatch:
    vecs, owners = _description_table()
    query = _FILLER.sub(" ", _normalise(text)).strip() or _normalise(text)
    sims = vecs @ embeddings.embed([query])[0]
    # Score a kind by its best phrase, plus a little of its mean, so one lucky synonym
    # does not beat a kind whose descriptions all agree.
    scores: dict[str, float] = {}
    for name in KIND_BY_NAME:
        s = sims[[i for i, o in enumerate(owners) if o == name]]
        scores[name] = float(0.8 * s.max() + 0.2 * np.sort(s)[-3:].mean())
    name = max(scores, key=scores.get)
    return KindMatch(KIND_BY_NAME[name], max(0.0, min(1.0, scores[name])), "embedding")


def match_kind(text: str | None, use_embeddings: bool = True) -> KindMatch | None:
    """Map a prompt onto a :class:`SoundKind`.

    Returns ``None`` for an empty prompt. Keyword hits get confidence 0.9; embedding matches
    get their cosine similarity. With ``use_embeddings=False`` (or if the model cannot be
    loaded) an unmatched prompt falls back to the generic foreground kind at confidence 0.
    """
    if text is None or not str(text).strip():
        return None
    kind = _keyword_match(str(text))
    if kind is not None:
        return KindMatch(kind, 0.9, "keyword")
    if use_embeddings:
        try:
            return _embedding_match(str(text))
        except Exception:  # a broken model must not break separation: degrade to the fallback
            pass
    return KindMatch(GENERIC, 0.0, "fallback")
