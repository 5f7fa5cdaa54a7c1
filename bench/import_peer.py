#!/usr/bin/env python3
"""The peer of `coolpapers import arxiv-jsonl`: what a plain, well-written Python script does to
load the same JSON-lines file (.gz or plain) into SQLite: papers and memberships tables plus an
FTS5 table over title, abstract and authors, filled with executemany in one transaction.

Usage: import_peer.py FILE DB
Prints one line: "peer: N papers, M memberships in S s (R papers/s)".
"""

import gzip
import json
import sqlite3
import sys
import time

SCHEMA = """
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE papers (
  id TEXT PRIMARY KEY, version INTEGER, title TEXT, abstract TEXT, authors TEXT,
  categories TEXT, comments TEXT, published TEXT
);
CREATE TABLE memberships (
  category TEXT, day TEXT, paper_id TEXT, type INTEGER, position INTEGER,
  PRIMARY KEY (category, day, paper_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_paper ON memberships(paper_id);
CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, authors, content='papers',
                                           content_rowid='rowid');
"""


def collapse(s):
    return " ".join(s.split()) if s else ""


def version_of(record):
    for url in (record.get("pdf") or "", record.get("abs") or ""):
        v = url.rsplit("v", 1)
        if len(v) == 2 and v[1].isdigit():
            return int(v[1])
    return 1


def rows(path):
    """(paper row, membership rows) per usable line, positions counted per (category, day)."""
    opener = gzip.open if path.endswith(".gz") else open
    positions = {}
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            cats = r.get("categories") or []
            if not r.get("id") or not r.get("title") or not cats:
                continue
            day = r.get("listing_date") or ""
            authors = "\n".join(collapse(a) for a in r.get("authors") or [])
            paper = (r["id"], version_of(r), collapse(r["title"]), collapse(r.get("summary")),
                     authors, " ".join(cats), collapse(r.get("comment")), day)
            members = []
            if day:
                for i, c in enumerate(cats):
                    key = (c, day)
                    positions[key] = positions.get(key, 0) + 1
                    members.append((c, day, r["id"], 0 if i == 0 else 1, positions[key] - 1))
            yield paper, members


def main():
    path, db = sys.argv[1], sys.argv[2]
    start = time.monotonic()
    con = sqlite3.connect(db, isolation_level=None)
    con.executescript(SCHEMA)
    papers, members = [], []
    for p, m in rows(path):
        papers.append(p)
        members.extend(m)
    con.execute("BEGIN")
    con.executemany("INSERT OR IGNORE INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", papers)
    con.executemany("INSERT OR IGNORE INTO memberships VALUES (?, ?, ?, ?, ?)", members)
    con.execute("INSERT INTO papers_fts (rowid, title, abstract, authors) "
                "SELECT rowid, title, abstract, authors FROM papers")
    con.execute("COMMIT")
    con.close()
    seconds = time.monotonic() - start
    print("peer: %d papers, %d memberships in %.2f s (%d papers/s)"
          % (len(papers), len(members), seconds, len(papers) / seconds))


if __name__ == "__main__":
    main()
