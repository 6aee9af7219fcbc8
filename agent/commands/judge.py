"""``samaudio judge MIXTURE SEPARATED --text PROMPT``: score a separation without a reference."""

from __future__ import annotations

import json

from samaudio_core.audio import load_audio
from samaudio_core.judge import Judge


def register(sub) -> None:
    p = sub.add_parser(
        "judge",
        help="score a separated file against its mixture and prompt (1-5: overall, recall, precision, faithfulness)",
    )
    p.add_argument("mixture", help="the unprocessed input")
    p.add_argument("separated", help="the separated output to judge")
    p.add_argument("--text", required=True, help="the prompt the output was separated for")
    p.add_argument("--engine", default="builtin", help="judge to use: builtin (default) or sam-audio-judge")
    p.add_argument("--json", action="store_true", help="print JSON (scores, and the evidence behind them)")
    p.set_defaults(func=run)


def run(args) -> int:
    judge = Judge(engine=args.engine)
    mixture, separated = load_audio(args.mixture), load_audio(args.separated)
    score, evidence = judge.evaluate(mixture, separated, args.text)
    if args.json:
        out = {
            "mixture": args.mixture,
            "separated": args.separated,
            "text": args.text,
            "judge": judge.engine,
            **score.to_dict(),
        }
        if evidence:
            out["evidence"] = {k: round(v, 4) for k, v in evidence.items()}
        print(json.dumps(out, indent=2))
        return 0
    for name, value in score.to_dict().items():
        print(f"{name:<13} {value:.2f}")
    return 0
