#!/usr/bin/env bash
# Set up (once) and run the main job on the bundled example:
# remove the mains hum from a spoken clip, judge the result and export an mp3 into out/demo.
set -euo pipefail
. "$(dirname "$0")/setup.sh"
samaudio do "remove the hum and export an mp3" examples/demo.wav --out-dir out/demo
