#!/usr/bin/env bash
# Set up (once) and run the linter and the whole test suite. Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
. "$(dirname "$0")/setup.sh"
ruff check .
python scripts/check_imports.py
python -m pytest "$@"
