#!/usr/bin/env python3
"""Lists the venue paper <-> arXiv links of a coolpapers SQLite database (schema 3), with the
method that made each, and optionally a fixed-seed random sample of one method's links with both
titles and first authors side by side, for checking them by hand (docs/linking.md).

    scripts/list-links.py var/coolpapers.db                        # counts, then every link
    scripts/list-links.py var/coolpapers.db --method title --sample 50 --seed 13
"""

import argparse
import random
import signal
import sqlite3
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="path of the SQLite database (var/coolpapers.db)")
    ap.add_argument("--method", choices=["id", "doi", "title"], help="only links made this way")
    ap.add_argument("--sample", type=int, default=0, help="print N random links, not all")
    ap.add_argument("--seed", type=int, default=13, help="seed of the random sample")
    args = ap.parse_args()
    try:
        c = sqlite3.connect("file:%s?mode=ro" % args.db, uri=True)
        rows = c.execute(
            "SELECT l.venue_id, v.edition, v.grp, l.method, l.arxiv_id, l.arxiv_version, "
            "vp.title, vp.authors, ap.title, ap.authors FROM paper_links l "
            "JOIN venue_papers v ON v.paper_id = l.venue_id "
            "JOIN papers vp ON vp.id = l.venue_id "
            "LEFT JOIN papers ap ON ap.id = l.arxiv_id ORDER BY l.venue_id").fetchall()
        venue_papers = c.execute("SELECT COUNT(*) FROM venue_papers").fetchone()[0]
    except sqlite3.Error as e:
        sys.exit("list-links: cannot read links from %s (%s); is it a coolpapers database of "
                 "schema 3 or later? Open it once with coolpapers to upgrade it." % (args.db, e))
    by_method = {}
    for r in rows:
        by_method[r[3]] = by_method.get(r[3], 0) + 1
    print("%d venue papers, %d linked: %s" % (
        venue_papers, len(rows),
        ", ".join("%s %d" % kv for kv in sorted(by_method.items())) or "none"))
    if args.method:
        rows = [r for r in rows if r[3] == args.method]
    if args.sample:
        rows = random.Random(args.seed).sample(rows, min(args.sample, len(rows)))
    for i, (vid, ed, grp, method, aid, aver, vt, va, at, aa) in enumerate(rows, 1):
        first = lambda authors: (authors or "").split("\n")[0]
        print("%d. %s (%s %s) --%s--> arXiv %s v%d" % (i, vid, ed, grp, method, aid, aver))
        print("   venue: %s — %s" % (vt, first(va)))
        print("   arXiv: %s — %s" % (at if at is not None else "(not stored)", first(aa)))


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    main()
