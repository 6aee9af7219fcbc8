"""``samaudio separate``: pull the prompted sound out of a recording.

Prompts combine freely: ``--text``, ``--span``/``--absent`` intervals, ``--auto-span``, and a
visual prompt over a video (``--box``, ``--point`` or ``--mask``). The work is
``samaudio_core.separate_file``: long wav/flac inputs on an engine that can stream go block
by block straight to wav/flac outputs (memory does not grow with the input's length);
everything else is separated in memory and saved atomically, video outputs re-muxed.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from samaudio_core.audio import VIDEO_EXTENSIONS
from samaudio_core.errors import PromptError
from samaudio_core.prompts import MaskPrompt, parse_span


def register(sub) -> None:
    p = sub.add_parser("separate", help="separate a sound by text, time spans or a video region")
    p.add_argument("input", metavar="INPUT", help="audio or video file")
    p.add_argument("--text", help='what to separate, e.g. "dog barking"')
    p.add_argument(
        "--span",
        action="append",
        default=[],
        metavar="START-END",
        help="where the target is clearly audible (seconds or m:ss, e.g. 3-4.5); repeatable",
    )
    p.add_argument(
        "--absent",
        action="append",
        default=[],
        metavar="START-END",
        help="where the target is absent; repeatable",
    )
    p.add_argument(
        "--auto-span",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="detect where the text target is active first (default: the engine's choice; "
        "the built-in engine does for inputs up to 5 minutes)",
    )
    p.add_argument("--engine", default="auto", help="engine name (see `samaudio engines`), default auto")
    p.add_argument("--candidates", type=int, default=1, help="judge K candidate separations, keep the best")
    p.add_argument("--video", help="video for a visual prompt (default: INPUT when it is a video)")
    vis = p.add_mutually_exclusive_group()
    vis.add_argument("--box", metavar="X0,Y0,X1,Y1", help="region of the frame (fractions or pixels)")
    vis.add_argument("--point", action="append", metavar="X,Y", help="a click on the source; repeatable")
    vis.add_argument("--mask", metavar="PNG_OR_VIDEO", help="mask image or mask video (non-zero = inside)")
    p.add_argument("--audio", help="audio to separate when the video's own track is not the one wanted")
    p.add_argument("-o", "--output", required=True, metavar="TARGET", help="where to write the target")
    p.add_argument("--residual", metavar="FILE", help="where to write everything else")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar (default: when stderr is a terminal)",
    )
    p.set_defaults(func=run)


def _floats(text: str, n: int, what: str) -> tuple[float, ...]:
    try:
        vals = tuple(float(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        vals = ()
    if len(vals) != n:
        raise PromptError(f"cannot read '{text}' as {what}")
    return vals


def _mask_prompt(args):
    if not (args.box or args.point or args.mask):
        if args.video:
            raise PromptError("--video needs a region: --box, --point or --mask")
        return None
    video = args.video or (args.input if Path(args.input).suffix.lower() in VIDEO_EXTENSIONS else None)
    if video is None:
        raise PromptError("--box/--point/--mask need a video: give --video FILE or a video as INPUT")
    box = _floats(args.box, 4, "a box x0,y0,x1,y1") if args.box else None
    points = tuple(_floats(pt, 2, "a point x,y") for pt in args.point) if args.point else None
    return MaskPrompt(video=video, box=box, points=points, image=args.mask)


def _summary(info: dict) -> str:
    parts = [f"engine={info.get('engine')}"]
    if info.get("kind"):
        parts.append(f"kind={info['kind']} (confidence {info.get('confidence', 0):.2f})")
    if info.get("mode"):
        parts.append(f"mode={info['mode']}")
    spans = info.get("auto_spans") or info.get("spans")
    if spans:
        parts.append(
            "spans=" + ",".join(f"{a:g}-{b:g}" for a, b in spans[:8]) + (" ..." if len(spans) > 8 else "")
        )
    return " ".join(parts)


def run(args) -> int:
    from samaudio_core.engines import load_engine
    from samaudio_core.stream import separate_file

    spans = [parse_span(s) for s in args.span]
    absent = [parse_span(s) for s in args.absent]
    mask = _mask_prompt(args)
    if not (args.text or spans or mask):
        raise PromptError("give --text, --span or a visual prompt (--box/--point/--mask)")
    if args.candidates < 1:
        raise PromptError("--candidates must be at least 1")
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    engine = load_engine(args.engine)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # The library decides whether to stream (long wav/flac on an engine that can) and
        # re-muxes video outputs with the picture.
        done = separate_file(
            args.audio or args.input,
            args.output,
            text=args.text,
            spans=spans,
            absent=absent,
            residual=args.residual,
            mask=mask,
            auto_span=args.auto_span,
            engine=engine,
            candidates=args.candidates,
            progress=progress,
            video=mask.video if mask else args.input,
        )
        info = done.info
    print(f"target: {args.output}")
    if args.residual:
        print(f"residual: {args.residual}")
    print(_summary(info))
    shown = set()
    for msg in [*info.get("warnings", []), *(str(w.message) for w in caught)]:
        if msg not in shown:
            shown.add(msg)
            print(f"warning: {msg}", file=sys.stderr)
    return 0
