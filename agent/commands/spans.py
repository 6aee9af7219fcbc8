"""``samaudio spans``: when is the prompted sound audible? One START-END interval a line."""

from __future__ import annotations

import json

from samaudio_core.audio import load_audio
from samaudio_core.spans import find_spans


def register(sub) -> None:
    p = sub.add_parser("spans", help="find the intervals where a prompted sound is active")
    p.add_argument("input", metavar="INPUT", help="audio or video file")
    p.add_argument("--text", required=True, help='the sound to look for, e.g. "dog barking"')
    p.add_argument("--min-duration", type=float, default=0.1, help="drop intervals shorter than this (s)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    # Deferred, so building the CLI's parser stays light: samaudio_core.builtin loads torch.
    from samaudio_core.builtin.ontology import match_kind

    audio = load_audio(args.input)
    spans = find_spans(audio, args.text, min_duration=args.min_duration)
    if args.json:
        match = match_kind(args.text)
        print(
            json.dumps(
                {
                    "input": args.input,
                    "text": args.text,
                    "kind": match.kind.name if match else None,
                    "duration": round(audio.duration, 3),
                    "spans": [[a, b] for a, b in spans],
                }
            )
        )
        return 0
    for a, b in spans:
        print(f"{a:.2f}-{b:.2f}")
    if not spans:
        print(f"no '{args.text}' found")
    return 0
