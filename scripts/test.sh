#!/usr/bin/env bash
# make test: every test (unit, integration, browser, extension) through ctest.
set -euo pipefail
build="$1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 900
