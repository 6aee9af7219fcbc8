"""``samaudio do INSTRUCTION INPUT [INPUT ...]``: one instruction, carried out on one or many files.

The instruction (typed, or spoken with ``--say SPOKEN.wav``, whose transcript is shown
before anything is done) is planned and run on each input in its own session: the same
instruction for every file, each file isolated (a bad one prints "Skipping X: reason" and
the batch goes on), a progress bar over files. ``-o OUT`` names the output of a single
input; ``--out-dir DIR`` collects the outputs of many; without either, each output lands in
its session's ``out/`` folder under ``$SAMAUDIO_HOME/sessions``. ``--session NAME`` resumes
that session when it exists (undo history included), else starts it under that name.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from agent.errors import SessionError
from agent.speech import transcribe
from samaudio_core.errors import SamaudioError
from samaudio_core.workspace import Workspace, safe_name

USAGE = (
    "samaudio do INSTRUCTION INPUT [INPUT ...] [-o OUT | --out-dir DIR] [--say SPOKEN.wav] "
    "[--planner NAME] [--session NAME]"
)


def register(sub) -> None:
    p = sub.add_parser(
        "do",
        help="carry out an instruction on one or more recordings",
        usage=USAGE,
        description="With --say, every positional argument is an INPUT.",
    )
    p.add_argument(
        "words", nargs="+", metavar="INSTRUCTION INPUT", help="the instruction, then the input files"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "-o", "--output", metavar="OUT", help="output file for a single input (suffix picks the format)"
    )
    out.add_argument("--out-dir", metavar="DIR", help="folder for the outputs of every input")
    p.add_argument("--say", metavar="SPOKEN.wav", help="a spoken instruction, transcribed offline")
    p.add_argument(
        "--planner", default=None, help="rules, openai or llama-cpp (default: openai when configured)"
    )
    p.add_argument("--session", default=None, help="session name: resumed when it exists")
    p.add_argument("--engine", default="auto", help="separation engine (see `samaudio engines`)")
    p.add_argument("--no-judge", dest="judge", action="store_false", help="do not score separations")
    p.add_argument(
        "--no-memory", dest="memory", action="store_false", help="do not read or write session memory"
    )
    p.add_argument("--json", action="store_true", help="print one JSON result a line")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    p.set_defaults(func=run)


def spoken_instruction(path: str, confirm=None) -> str | None:
    """Transcribe ``path`` and show the transcript (stderr) before anything acts on it.

    When the chosen hypothesis is not Whisper's first guess (the first did not plan to an
    edit), both are shown and ``confirm(text)`` (chat: a question on stdin) may decline it;
    None is then returned and nothing acts."""

    t = transcribe(path)
    print(f'heard: "{t.text}"', file=sys.stderr)
    if t.corrected:
        print(
            f'  (Whisper\'s first guess was "{t.alternatives[0]}", which is no edit I can make)',
            file=sys.stderr,
        )
        if confirm is not None and not confirm(t.text):
            print("  not acted on; say or type it again", file=sys.stderr)
            return None
    return t.text


def run(args) -> int:
    from tqdm import tqdm

    # Deferred, so building the CLI's parser stays light (and `samaudio plan` starts fast): the
    # agent loop loads LangChain and the tools, session memory the tools.
    from agent.loop import Agent
    from agent.memory import samaudio_home

    if args.say:
        instruction, inputs = spoken_instruction(args.say), list(args.words)
    else:
        instruction, inputs = args.words[0], list(args.words[1:])
    if not inputs:
        raise SessionError("do needs at least one INPUT file after the instruction")
    if args.output and len(inputs) > 1:
        raise SessionError("-o names one output: use --out-dir DIR with several inputs")
    memory = None if args.memory else False
    failures = 0
    bar = tqdm(
        inputs, desc="files", unit="file", disable=not args.progress or len(inputs) < 2, file=sys.stderr
    )
    for path in bar:
        try:
            session = (
                args.session if len(inputs) == 1 or not args.session else f"{args.session}-{Path(path).stem}"
            )
            folder = samaudio_home() / "sessions" / safe_name(session) if session else None
            if folder is not None and (folder / "manifest.json").exists() and not args.out_dir:
                ws = Workspace.open(folder)
                agent = Agent(ws, planner=args.planner, engine=args.engine, judge=args.judge, memory=memory)
                result = agent.run(None, instruction, output=args.output)
            else:
                agent = Agent(
                    args.out_dir, planner=args.planner, engine=args.engine, judge=args.judge, memory=memory,
                    session=session, progress=args.progress and len(inputs) == 1,
                )  # fmt: skip
                result = agent.run(path, instruction, output=args.output)
        except SamaudioError as exc:
            failures += 1
            tqdm.write(f"Skipping {path}: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(result.to_dict(), default=str))
        else:
            prefix = f"{path}: " if len(inputs) > 1 else ""
            tqdm.write(prefix + result.reply.replace("\n", "\n" + " " * len(prefix)))
        # A refusal or a failed step counts as a failure; an answered question or a noted
        # preference changes nothing and is still a success.
        if result.refused or not all(s.ok for s in result.steps):
            failures += 1
    if len(inputs) > 1:
        print(f"{len(inputs) - failures} of {len(inputs)} file(s) done", file=sys.stderr)
    return 0 if failures == 0 else 1
