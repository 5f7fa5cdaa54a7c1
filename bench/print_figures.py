#!/usr/bin/env python3
"""Prints the figures of a `make bench` run (bench/figures.sh) as one table: our figure, the
peer's figure from the same run, their ratio, the goal and whether it is met."""
import sys


def goal_met(goal, ours, ratio):
    """'ratio >= 4', 'ratio <= 5', 'ours < 1.5', 'ours > 0' -> True/False; None if unparsable."""
    parts = goal.split()
    if len(parts) != 3 or parts[0] not in ("ratio", "ours"):
        return None
    value = ratio if parts[0] == "ratio" else ours
    try:
        limit = float(parts[2])
    except ValueError:
        return None
    if value is None:
        return None
    return {"<": value < limit, "<=": value <= limit, ">": value > limit,
            ">=": value >= limit}.get(parts[1])


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def main(path):
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        print(f"figures: none recorded ({e}); run `make bench`")
        return 1
    rows = []
    for n, line in enumerate(lines, 1):
        fields = line.split("\t")
        if len(fields) != 7:
            print(f"figures: {path}:{n}: expected 7 tab-separated fields, got {len(fields)}: {line!r}")
            continue
        name, ours, peer_name, peer, unit, better, goal = fields
        o, p = number(ours), number(peer)
        ratio = o / p if o is not None and p not in (None, 0) else None
        met = goal_met(goal, o, ratio)
        rows.append((name, ours, unit, peer_name, peer,
                     f"{ratio:.2f}x" if ratio is not None else "-", goal,
                     {True: "met", False: "NOT met", None: "-"}[met]))
    header = ("figure", "coolpapers", "unit", "peer (same run)", "peer", "ratio", "goal", "")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "bench/output/figures.tsv"))
