#!/usr/bin/env bash
# make run: load the bundled sample into an empty database (venue proceedings into any), update
# the search index, serve (following arXiv unless OFFLINE=1).
set -euo pipefail
bin="$1"; db="$2"; listen="$3"
mkdir -p var
empty=0
if [[ "$db" == sqlite:* ]]; then
  path="${db#sqlite:}"
  if [ ! -s "$path" ]; then empty=1; fi
else
  # A server database (postgresql://): empty when it holds no papers yet (stats creates the
  # schema on first use and says what is wrong when the server cannot be reached).
  papers=$("$bin" stats --db "$db" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["papers"])')
  if [ "$papers" = "0" ]; then empty=1; fi
fi
if [ "$empty" = "1" ]; then
  echo "run: loading the bundled sample (data/sample/) into $db"
  "$bin" import arxiv-jsonl --db "$db" data/sample/*.jsonl.gz
fi
# Venue proceedings of the sample (a re-import changes nothing, so older databases get them too).
"$bin" import venue --source acl --db "$db" data/sample/venues/*.xml.gz ||
  echo "run: venue sample not imported (see above); serving without it"
"$bin" import venue --source pmlr --db "$db" data/sample/venues/*.bib.gz ||
  echo "run: venue sample not imported (see above); serving without it"
# Brings the search index up to date (builds it the first time, rebuilds one of an older format).
"$bin" index --db "$db" || echo "run: search index not updated (see above); serving without it"
# Follows arXiv's announcements ([harvest] follow in the config, else all of cs) and fetches
# any paper a reader asks for; OFFLINE=1 make run does neither.
if [ "${OFFLINE:-0}" = "1" ]; then
  arxiv_mode=--offline
  echo "run: offline: arXiv is neither followed nor asked for missing papers"
else
  arxiv_mode=--harvest
  echo "run: following arXiv's cs announcements and fetching papers on demand (OFFLINE=1 make run to stay offline)"
fi
echo "run: serving http://$listen (Ctrl+C to stop)"
exec "$bin" serve --db "$db" --listen "$listen" "$arxiv_mode"
