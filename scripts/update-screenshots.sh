#!/usr/bin/env bash
# Copies the screenshots the browser tests take (make test writes them to
# build-test/test-output/browser/) into docs/screenshots/, the ones the README shows.
set -euo pipefail
from="${1:-build-test/test-output/browser}"
cd "$(dirname "$0")/.."
for name in translated-list faq-newer-version list-week-unread-only list-replacements tldr-list \
            copy-menu home venue-sort-stars venue-faq; do
  if [ ! -f "$from/$name.png" ]; then
    echo "update-screenshots: $from/$name.png is missing; run make test first" >&2
    exit 1
  fi
  cp "$from/$name.png" docs/screenshots/
done
echo "update-screenshots: docs/screenshots/ updated from $from"
