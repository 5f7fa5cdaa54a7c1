#!/usr/bin/env bash
# Installs the npm packages named in package.json (KaTeX, PDF.js, playwright-core) into
# node_modules/. Quiet and quick when they are already present.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.coolpapers-installed
if [ -f "$stamp" ] && [ "$stamp" -nt package.json ]; then
  exit 0
fi
echo "install-npm: installing front-end packages from npm"
npm install --no-audit --no-fund --loglevel=error >/dev/null
touch "$stamp"
