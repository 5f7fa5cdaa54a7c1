"""scripts/check-layering.py: the module doors of ARCHITECTURE.md hold on the real tree, and a
crossing is reported with its file and line.

Runs as `python3 tests/layering/test_check_layering.py` (ctest `layering`).
"""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.environ.get("COOLPAPERS_SOURCE_DIR",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CHECK = os.path.join(ROOT, "scripts", "check-layering.py")


def run(root):
    return subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True,
                          timeout=60)


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class CheckLayeringTest(unittest.TestCase):
    def test_the_source_tree_keeps_its_layering(self):
        r = run(ROOT)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_an_include_across_a_closed_door_is_reported_with_file_and_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, "src/core/a.h", '#pragma once\n')
            write(tmp, "src/sources/arxiv/rss.cc", '#include "core/a.h"\n#include "store/store.h"\n')
            write(tmp, "src/store/store.h", '#pragma once\n#include "core/a.h"\n')
            r = run(tmp)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("src/sources/arxiv/rss.cc:2: sources/ may not include store/store.h",
                          r.stderr)
            self.assertEqual(r.stderr.count("may not include"), 1, r.stderr)

    def test_network_and_database_headers_belong_to_their_modules(self):
        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, "src/llm/client.cc", '#include <curl/curl.h>\n')
            write(tmp, "src/web/page.cc", '#include <vector>\n#include <sqlite3.h>\n')
            write(tmp, "src/net/http.cc", '#include <curl/curl.h>\n')
            write(tmp, "src/store/db.cc", '#include <sqlite3.h>\n')
            r = run(tmp)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("src/llm/client.cc:1: <curl/curl.h> belongs to net/", r.stderr)
            self.assertIn("src/web/page.cc:2: <sqlite3.h> belongs to store/", r.stderr)
            self.assertNotIn("src/net/", r.stderr)
            self.assertNotIn("src/store/", r.stderr)

    def test_a_module_missing_from_the_table_is_reported(self):
        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, "src/gadgets/x.cc", '#include "core/a.h"\n')
            r = run(tmp)
            self.assertEqual(r.returncode, 1)
            self.assertIn("src/gadgets/: module not listed", r.stderr)


if __name__ == "__main__":
    unittest.main()
