"""The ``samaudio`` command line.

Each subcommand lives in ``agent/commands/<name>.py`` with ``register(subparsers)``, which
adds its parser and sets ``func(args) -> int``. Flags are named after the Python keyword
arguments they map to. Only this module turns errors into one-line messages: a
``SamaudioError`` (bad file, bad prompt, unusable engine ...) prints ``error: ...`` and
exits 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence

from samaudio_core.errors import SamaudioError

from .commands import apply, chat, do, engines, judge, plan, recipe, separate, serve, spans, transcribe

#: The subcommands, in the order ``--help`` lists them. Each module imports what it runs only
#: when it runs, so building the parser stays light.
_MODULES = {
    "separate": separate,
    "spans": spans,
    "judge": judge,
    "plan": plan,
    "transcribe": transcribe,
    "do": do,
    "chat": chat,
    "apply": apply,
    "recipe": recipe,
    "engines": engines,
    "serve": serve,
}
COMMANDS = tuple(_MODULES)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samaudio",
        description="Tell a recording what to do: promptable separation, judged and refined.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _MODULES.values():
        module.register(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    # One line a degraded mode ("the file is cut short: ... read 0.80 s"), not Python's
    # two-line "file:line: UserWarning" form meant for programmers.
    print(f"warning: {message}", file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    shown, warnings.showwarning = warnings.showwarning, _show_warning
    try:
        return _main(argv)
    finally:
        warnings.showwarning = shown


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except SamaudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
