"""Run the samaudio CLI and SIGKILL it at its K-th file commit: ``crashpoint.py K WHEN ARGS...``.

A commit is an ``os.replace``/``os.rename`` (every final file and every session folder lands
through one); WHEN is ``before`` (the temp file is whole, the rename not done) or ``after``
(renamed, nothing after it done). ``K = 0`` runs to the end and prints the number of commits
on stderr as ``commits: N``, so a test can aim at each. The kill is a real SIGKILL: no
``finally`` block, no atexit handler runs, exactly as when a user's machine kills the process.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    k, when, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    count = 0

    def wrap(real):
        def commit(*args, **kwargs):
            nonlocal count
            count += 1
            if count == k and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            out = real(*args, **kwargs)
            if count == k and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return out

        return commit

    os.replace, os.rename = wrap(os.replace), wrap(os.rename)
    from agent.cli import main as cli_main

    rc = cli_main(argv)
    print(f"commits: {count}", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
