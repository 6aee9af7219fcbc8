"""``samaudio chat INPUT [--session NAME]``: a conversation about one recording.

Each line read from stdin is one instruction ("remove the wind", "a bit more", "undo",
"always export mp3", "when does the dog bark?"); the agent answers and keeps every version.
A session lives under ``$SAMAUDIO_HOME/sessions/NAME`` as a workspace folder, so
``--session NAME`` after a restart resumes it where it was, undo history included, and
session memory remembers what was said. ``--say SPOKEN.wav`` (repeatable) speaks the first
instructions; each transcript is shown before it is acted on, and one that is not Whisper's
first guess (the first planned to no edit) is acted on only after a "y" on stdin. ``quit``
or end of input ends.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agent.commands.do import spoken_instruction
from samaudio_core.errors import SamaudioError
from samaudio_core.workspace import Workspace, safe_name

QUIT = {"quit", "exit", "bye", "q"}


def register(sub) -> None:
    p = sub.add_parser("chat", help="interactive session on one recording, with memory and undo")
    p.add_argument("input", metavar="INPUT", help="audio or video file")
    p.add_argument("--session", default=None, help="session name: resumed when it exists")
    p.add_argument(
        "--say", action="append", default=[], metavar="SPOKEN.wav", help="spoken instruction(s) first"
    )
    p.add_argument(
        "--planner", default=None, help="rules, openai or llama-cpp (default: openai when configured)"
    )
    p.add_argument("--engine", default="auto", help="separation engine (see `samaudio engines`)")
    p.add_argument("--no-judge", dest="judge", action="store_false", help="do not score separations")
    p.set_defaults(func=run)


def open_session(input_path: str, name: str | None):
    """(workspace, resumed?) for a chat: the named session when it exists, else a new one."""
    # Deferred: session memory imports the tools, and `samaudio plan` must start fast.
    from agent.memory import samaudio_home

    root = samaudio_home() / "sessions"
    if name and (root / safe_name(name) / "manifest.json").exists():
        ws = Workspace.open(root / name)
        started_on = Path(ws.original.path).name
        if Path(input_path).name != started_on:
            print(f"note: session '{name}' was started on {started_on}; continuing it", file=sys.stderr)
        return ws, True
    return Workspace.create(root, input_path, name=name), False


def run(args) -> int:
    # Deferred, so building the CLI's parser stays light: the agent loop loads LangChain and the tools.
    from agent.loop import Agent

    ws, resumed = open_session(args.input, args.session)
    edits = len(ws.history()) - 1
    state = f"resumed at version {ws.current.id} ({edits} edit(s) to undo)" if resumed else "new"
    print(f"session {ws.name}: {state}; resume later with --session {ws.name}", file=sys.stderr)
    agent = Agent(ws, planner=args.planner, engine=args.engine, judge=args.judge)
    interactive = sys.stdin.isatty()

    def confirm(text: str) -> bool:
        """Ask before acting on a transcript that needed correcting; the answer is read from stdin."""
        print(f'act on "{text}"? [y/N] ', end="", file=sys.stderr, flush=True)
        return sys.stdin.readline().strip().lower() in ("y", "yes")

    def turns():
        for spoken in args.say:
            yield spoken_instruction(spoken, confirm=confirm) or ""
        while True:
            if interactive:
                print("> ", end="", file=sys.stderr, flush=True)
            line = sys.stdin.readline()
            if not line:
                return
            yield line.strip()

    for instruction in turns():
        if not instruction:
            continue
        if instruction.lower().strip(" .!") in QUIT:
            break
        try:
            result = agent.run(None, instruction)
        except SamaudioError as exc:  # one bad turn does not end the conversation
            print(f"error: {exc}", flush=True)
            continue
        print(result.reply, flush=True)
    return 0
