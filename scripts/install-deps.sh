#!/usr/bin/env bash
# Installs the Debian packages coolpapers builds, tests and benchmarks with.
# Idempotent and quiet when everything is already present.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libsqlite3-dev sqlite3 libpqxx-dev libpq-dev postgresql
  libxapian-dev libhnswlib-dev libeigen3-dev
  libpugixml-dev nlohmann-json3-dev libsimdjson-dev
  libhowardhinnant-date-dev tzdata libkainjow-mustache-dev poppler-utils
  libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libexpected-dev
  zlib1g-dev libisal-dev libbrotli-dev libmd4c-dev libgumbo-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang libclang-rt-14-dev ccache
  wrk nginx-light chromium curl bc python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm (for KaTeX, PDF.js and the browser tests) come from Debian only when the
# machine has none: an existing Node.js installation is left alone.
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} Debian package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
