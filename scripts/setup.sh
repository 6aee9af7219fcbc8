#!/usr/bin/env bash
# Sourced by demo.sh and test.sh: create .venv once and install samaudio with its test tools.
# pip (not uv/poetry): it resolves the torch/torchaudio pair pinned in pyproject.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e ".[test]"
