#!/usr/bin/env bash
# Set up (once) and run the main job on the bundled example:
# remove the mains hum from a spoken clip, judge the result and export an mp3 into out/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e ".[test]"
samaudio do "remove the hum and export an mp3" examples/demo.wav --out-dir out/demo
