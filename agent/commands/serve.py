"""``samaudio serve [--host 127.0.0.1] [--port 8000] [--workspace DIR] [--open]``: the web page.

A FastAPI app (``agent.web.app``) served by uvicorn, over the same Agent, workspace and
tools as the other commands. Loopback by default; bound to any other address it requires a
token on every request (``$SAMAUDIO_TOKEN``, or a random one printed at start).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from pathlib import Path

from samaudio_core.errors import SamaudioError

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def register(sub) -> None:
    p = sub.add_parser("serve", help="the web page: waveform, spans, video boxes, chat, A/B, stems, undo")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workspace", default=".", metavar="DIR",
                   help="folder whose media the page may open; uploads and sessions go inside it (default: .)")
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    p.add_argument("--planner", default=None, help="rules, openai or llama-cpp (default: openai when configured)")
    p.add_argument("--engine", default="auto", help="separation engine (see `samaudio engines`)")
    p.add_argument("--no-judge", dest="judge", action="store_false", help="do not score separations")
    p.add_argument("--no-memory", dest="memory", action="store_false", help="no session memory")
    p.add_argument("--upload-limit-mb", type=int, default=2048, help="largest upload (MB, default 2048)")
    p.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args) -> int:
    try:
        import uvicorn
    except ImportError as exc:  # a core dependency; only a broken install lacks it
        raise SamaudioError("samaudio serve needs uvicorn and fastapi (pip install samaudio)") from exc
    from agent.web.app import create_app
    from agent.web.state import Config

    workspace = Path(args.workspace).expanduser()
    if not workspace.is_dir():
        raise SamaudioError(f"--workspace {args.workspace}: no such folder")
    if not 0 < args.port < 65536:
        raise SamaudioError(f"--port {args.port}: not a port number")
    loopback = is_loopback(args.host)
    token = os.environ.get("SAMAUDIO_TOKEN") or (None if loopback else secrets.token_urlsafe(24))
    hosts = None
    if loopback:  # a loopback server answers only to loopback names (no DNS rebinding)
        hosts = LOOPBACK_NAMES + ("[::1]",)
    cfg = Config(
        workspace=workspace, token=token, planner=args.planner, engine=args.engine, judge=args.judge,
        memory=args.memory, upload_limit=args.upload_limit_mb * 1024 * 1024, allowed_hosts=hosts,
    )  # fmt: skip
    app = create_app(cfg)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"samaudio: serving {workspace.resolve()} at {url}", file=sys.stderr)
    if token and not os.environ.get("SAMAUDIO_TOKEN"):
        print(f"token (required on every request): {token}", file=sys.stderr)
    if args.open:
        import webbrowser

        webbrowser.open(url)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
