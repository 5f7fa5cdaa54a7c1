#!/usr/bin/env python3
"""Builds the bundled sample data/sample/arxiv-cs-sample.jsonl.gz from the shared bulk file.

Keeps every paper of the most recent N listing days (default 22) of
shared/data/arxiv_bulk/daily_arxiv_cs_2025-03_2026-07.jsonl.gz, lines unchanged and in file
order (the order gives each paper's position in its day's list), gzip-compressed
deterministically (mtime 0) so reruns produce identical bytes.

    python3 scripts/make-sample.py [--bulk PATH] [--days N] [--out PATH]
"""
import argparse
import gzip
import io
import json
import os
import sys

DEFAULT_BULK = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data",
                            "arxiv_bulk", "daily_arxiv_cs_2025-03_2026-07.jsonl.gz")
DEFAULT_OUT = os.path.join(os.path.dirname(__file__), "..", "data", "sample",
                           "arxiv-cs-sample.jsonl.gz")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bulk", default=DEFAULT_BULK)
    ap.add_argument("--days", type=int, default=22)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    if not os.path.exists(args.bulk):
        sys.exit(f"make-sample: {args.bulk} not found; pass --bulk PATH to the shared bulk file")

    lines, days = [], set()
    with gzip.open(args.bulk, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                day = json.loads(line)["listing_date"]
                lines.append((day, line if line.endswith("\n") else line + "\n"))
                days.add(day)
    keep = set(sorted(days)[-args.days:])
    chosen = [line for day, line in lines if day in keep]

    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write("".join(chosen).encode("utf-8"))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as out:
        out.write(buf.getvalue())
    os.replace(tmp, args.out)
    print(f"{args.out}: {len(chosen)} papers, {len(keep)} listing days "
          f"({min(keep)} .. {max(keep)}), {len(buf.getvalue()) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
