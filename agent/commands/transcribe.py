"""``samaudio transcribe FILE...``: spoken instructions to text, one line a file, offline.

Uses the packaged Whisper tiny.en (or ``--model`` / ``$SAMAUDIO_WHISPER_MODEL``); numbers are
normalised to digits ("three decibels" -> "3 dB") unless ``--raw``. With several files each
line starts with the file name; a file that cannot be transcribed prints "Skipping X: reason".
"""

from __future__ import annotations

import sys

from agent.speech import transcribe
from samaudio_core.errors import SamaudioError


def register(sub) -> None:
    p = sub.add_parser("transcribe", help="speech to text (spoken instructions), one line a file")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files with speech")
    p.add_argument(
        "--model", default=None, help="Whisper model folder or size name (default: packaged tiny.en)"
    )
    p.add_argument("--raw", action="store_true", help="print Whisper's text without number normalisation")
    p.set_defaults(func=run)


def run(args) -> int:
    failures = 0
    for path in args.files:
        try:
            t = transcribe(path, model=args.model)
        except SamaudioError as exc:
            failures += 1
            print(f"Skipping {path}: {exc}", file=sys.stderr)
            continue
        text = t.raw if args.raw else t.text
        print(f"{path}: {text}" if len(args.files) > 1 else text, flush=True)
    return 0 if failures == 0 else 1
