"""``samaudio engines``: which engines exist, which are usable here, and why not."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser(
        "engines", help="list separation engines, judges and learned components, and whether they run here"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    # Imported when the command runs, like every command's work: the CLI imports all command
    # modules to build its parser, and these load torch (~2 s).
    from samaudio_core.builtin.learned import learned_components
    from samaudio_core.engines import engine_status
    from samaudio_core.judge import judge_status

    rows = engine_status()
    judges = judge_status()
    learned = learned_components()
    if args.json:
        print(json.dumps({"engines": rows, "judges": judges, "learned": learned}, indent=2))
        return 0
    for title, items in (("engines", rows), ("judges", judges), ("learned parts of the builtin engine", learned)):
        if not items:
            continue
        print(f"{title}:")
        for row in items:
            state = "usable" if row["usable"] else f"unusable: {row['reason']}"
            extra = "; ".join(f"{k}: {row[k]}" for k in ("licence", "weights") if row.get(k))
            print(f"  {row['name']:<18} {state}  — {row['description']}" + (f" ({extra})" if extra else ""))
    return 0
