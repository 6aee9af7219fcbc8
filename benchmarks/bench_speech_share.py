"""How the speech specialist's "speech is an interferer" threshold was chosen.

For every non-speech mixture of the chosen splits (default tune + select, never report), the
share of 32 ms windows where silero-vad hears speech (``speech_route.speech_share``), split by
whether the mixture really has speech in its rest; then, per threshold, the false alarms (no
speech, routed anyway: the costly mistake) and the hits.

    nice python benchmarks/bench_speech_share.py [--splits tune,select]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import soundfile as sf

from samaudio_core.builtin import speech_route

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devset", default=str(ROOT / "data/devset"))
    ap.add_argument("--splits", default="tune,select")
    args = ap.parse_args(argv)
    splits = set(args.splits.split(","))
    manifest = json.loads((Path(args.devset) / "manifest.json").read_text())
    shares: dict[bool, list[float]] = {True: [], False: []}
    for item in manifest["items"]:
        if item["split"] not in splits or item["category"] == "speech":
            continue
        mix, sr = sf.read(Path(args.devset) / item["id"] / "mixture.wav", dtype="float32", always_2d=True)
        shares[bool(item["speech_in_rest"])].append(speech_route.speech_share(mix.T, sr))
    no, yes = sorted(shares[False]), sorted(shares[True])
    print(f"splits {sorted(splits)}: {len(no)} mixtures without speech, {len(yes)} with speech in the rest")
    print(f"without speech, highest shares: {[round(x, 2) for x in no[-5:]]}")
    print(f"with speech, share quartiles: {[round(float(x), 2) for x in np.quantile(yes, [0.25, 0.5, 0.75])]}")
    print("| threshold | false alarms | hits |\n|---|---|---|")
    for th in (0.1, 0.15, 0.2, 0.25, 0.3):
        print(f"| {th:.0%} | {sum(x >= th for x in no)} / {len(no)} | {sum(x >= th for x in yes)} / {len(yes)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
