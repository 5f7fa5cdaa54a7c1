#!/usr/bin/env python3
"""Checks the module layering that ARCHITECTURE.md describes.

Every `#include "<module>/..."` in src/<module>/ must name a module that the table below allows,
and the libraries that reach outside the process (libcurl, SQLite, libpq) may only be included
by the module that owns them. Run by the build (target `check_layering`, part of `all`) and by
ctest (`layering`); exits 1 listing every violation as file:line.

Usage: check-layering.py [SOURCE_DIR]
"""
import os
import re
import sys

# module -> modules it may include (itself always allowed). Data flows one way:
# sources -> store -> indexes (search) -> pages (web); only net/ talks to the network.
ALLOWED = {
    "core": set(),
    "sources": {"core"},
    "net": {"core"},
    "store": {"core"},
    "harvest": {"core", "sources", "net", "store"},
    "venues": {"core", "sources", "net", "store"},
    "search": {"core", "net", "store"},
    "llm": {"core", "sources", "net", "store"},
    "web": {"core", "sources", "store", "search", "llm"},
    "cli": {"core", "sources", "net", "store", "harvest", "venues", "search", "llm", "web"},
}

# System headers only one module may include: the network client, the database drivers.
OWNED_HEADERS = [
    (re.compile(r"^curl/"), "net", "only net/ talks to the network"),
    (re.compile(r"^sqlite3\.h$"), "store", "only the store reads and writes rows"),
    (re.compile(r"^(pqxx/|libpq-fe\.h$)"), "store", "only the store reads and writes rows"),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def check(src_dir):
    problems = []
    modules = sorted(d for d in os.listdir(src_dir) if os.path.isdir(os.path.join(src_dir, d)))
    for module in modules:
        if module not in ALLOWED:
            problems.append(f"src/{module}/: module not listed in scripts/check-layering.py "
                            "(add it to ALLOWED and to ARCHITECTURE.md's codemap)")
            continue
        allowed = ALLOWED[module] | {module}
        for root, _, files in os.walk(os.path.join(src_dir, module)):
            for name in sorted(files):
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, os.path.dirname(src_dir))
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        kind, target = m.groups()
                        if kind == '"':
                            dep = target.split("/", 1)[0]
                            if "/" in target and dep in ALLOWED and dep not in allowed:
                                problems.append(
                                    f"{rel}:{lineno}: {module}/ may not include {target} "
                                    f"({module}/ may include: {', '.join(sorted(allowed))})")
                        for pattern, owner, why in OWNED_HEADERS:
                            if pattern.search(target) and module != owner:
                                problems.append(f"{rel}:{lineno}: <{target}> belongs to {owner}/ "
                                                f"({why})")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    problems = check(os.path.join(os.path.abspath(root), "src"))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check-layering: {len(problems)} include(s) break the module layering; "
              "see ARCHITECTURE.md (Codemap) for what each module may include", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
