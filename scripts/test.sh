#!/usr/bin/env bash
# Set up (once) and run the whole test suite plus the linter. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
. .venv/bin/activate
# pip (not uv/poetry): it finds the torch/torchaudio pair pinned in pyproject.toml.
python -m pip install -q --upgrade pip
python -m pip install -q -e ".[test]"
ruff check .
python -m pytest "$@"
