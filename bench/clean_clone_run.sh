#!/usr/bin/env bash
# How long a newcomer waits: clone the repository at REV into a fresh directory, run `make run`
# with empty package caches (as on a fresh machine), and time until the home page answers.
# Usage: bench/clean_clone_run.sh [REV] [PORT]   (REV defaults to HEAD; the page is polled on PORT,
# 8000 unless the Makefile takes PORT=...)
set -euo pipefail
rev=${1:-HEAD}
port=${2:-8000}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d /tmp/onestop-clean-XXXX)
git clone -q "$repo" "$work/src"
git -C "$work/src" checkout -q "$rev"
export PIP_CACHE_DIR="$work/pip-cache" UV_CACHE_DIR="$work/uv-cache" XDG_DATA_HOME="$work/data"
start=$(date +%s.%N)
(cd "$work/src" && exec make run PORT="$port" >"$work/make-run.log" 2>&1) &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "make run stopped; see $work/make-run.log" >&2; exit 1; fi
  sleep 0.5
done
end=$(date +%s.%N)
printf '%s: home page answered %.1f s after `make run` started (clean clone, empty caches)\n' "$rev" "$(echo "$end - $start" | bc)"
pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true
sleep 1; pkill -f "$work/src/.venv/bin/onestop serve" 2>/dev/null || true
rm -rf "$work"
