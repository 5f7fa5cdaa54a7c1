#!/usr/bin/env bash
# make run: load the bundled sample into an empty database (venue proceedings into any), update
# the search index, serve.
set -euo pipefail
bin="$1"; db="$2"; listen="$3"
mkdir -p var
if [[ "$db" == sqlite:* ]]; then
  path="${db#sqlite:}"
  if [ ! -s "$path" ]; then
    echo "run: loading the bundled sample (data/sample/) into $db"
    "$bin" import arxiv-jsonl --db "$db" data/sample/*.jsonl.gz
  fi
fi
# Venue proceedings of the sample (a re-import changes nothing, so older databases get them too).
"$bin" import venue --source acl --db "$db" data/sample/venues/*.xml.gz ||
  echo "run: venue sample not imported (see above); serving without it"
"$bin" import venue --source pmlr --db "$db" data/sample/venues/*.bib.gz ||
  echo "run: venue sample not imported (see above); serving without it"
# Brings the search index up to date (builds it the first time, rebuilds one of an older format).
"$bin" index --db "$db" || echo "run: search index not updated (see above); serving without it"
echo "run: serving http://$listen (Ctrl+C to stop)"
exec "$bin" serve --db "$db" --listen "$listen"
