#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 60) each, seeded with the
# examples and the UI corpus. Needs cargo-fuzz; works on stable Rust through
# RUSTC_BOOTSTRAP=1 (cargo-fuzz uses -Z flags for the sanitizer build).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
export RUSTC_BOOTSTRAP=1
for target in parse check emit; do
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus"
  find examples tests/ui -name '*.stack' -exec cp {} "$corpus/" \;
  echo "== fuzz $target for ${secs}s"
  cargo fuzz run "$target" "$corpus" -- -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048
done
