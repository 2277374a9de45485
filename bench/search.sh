#!/usr/bin/env bash
# Custos full-text search benchmark: a vault of generated text documents
# (50,000 of about 3 KB, ~150 MB of text) processed and indexed, then
# representative queries timed through the core API (median and 95th
# percentile, snippets included), against grep -ril and rg -il over the same
# plaintext, and the peak memory of `custos search`; then an audit log of
# 1,000,000 rows read into timeline events (rows per second).
#
# Usage: bash bench/search.sh   (part of `make bench`)
# Environment:
#   BENCH_DIR        scratch folder (default /var/tmp/custos-bench-search)
#   KEEP=1           keep the documents and the vault for the next run
#   DOCS             documents (default 50000)
#   CARGO_TARGET_DIR cargo target folder (default $HOME/.cache/custos/target)
#
# A report, not a test: it exits 0 whether the target is met or not.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/var/tmp/custos-bench-search}
KEEP=${KEEP:-0}
DOCS=${DOCS:-50000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/custos/target}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }
for t in grep rg /usr/bin/time python3; do
    command -v "$t" >/dev/null || die "$t is missing (scripts/install-deps.sh installs it)"
done
cleanup() { if [ "$KEEP" != 1 ]; then rm -rf "$BENCH_DIR"; fi; }
trap cleanup EXIT
mkdir -p "$BENCH_DIR"

say "building (release)…"
(cd "$REPO" && cargo build -q --release --locked -p custos-cli && cargo build -q --release --locked -p custos-core --example search \
    && cargo build -q --release --locked -p custos-extract --example audit)
CUSTOS=$CARGO_TARGET_DIR/release/custos

say "the vault of $DOCS documents, then the queries…"
OUT=$BENCH_DIR/custos.out
/usr/bin/time -f "%M" -o "$BENCH_DIR/rss" "$CARGO_TARGET_DIR/release/examples/search" "$BENCH_DIR" "$DOCS" > "$OUT"
DOCS_DIR=$(awk -F'\t' '$1 == "documents" {print $2}' "$OUT")
TEXT_MB=$(du -sm "$DOCS_DIR" | cut -f1)

say "grep and rg over the same plaintext…"
now() { date +%s.%N; }
secs() { python3 -c "print(f'{($2 - $1) * 1000:.0f}')"; }
ROWS=""
while IFS=$'\t' read -r kind query ms hits word; do
    [ "$kind" = query ] || continue
    if [ -n "$word" ]; then
        sync; t0=$(now); grep -ril -- "$word" "$DOCS_DIR" >/dev/null || true; t1=$(now)
        G=$(secs "$t0" "$t1")
        t0=$(now); rg -il --no-messages -- "$word" "$DOCS_DIR" >/dev/null || true; t1=$(now)
        R=$(secs "$t0" "$t1")
        ROWS+="| \`$query\` | $ms, $hits | $G ms | $R ms |"$'\n'
    else
        ROWS+="| \`$query\` | $ms, $hits | — | — |"$'\n'
    fi
done < "$OUT"

say "peak memory of custos search…"
export CUSTOS_PASSPHRASE="search bench passphrase"
/usr/bin/time -f "%M" -o "$BENCH_DIR/cli-rss" "$CUSTOS" search "$BENCH_DIR/vault-$DOCS" "falcon w/5 price" --limit 100 >/dev/null

say "timeline: reading an audit log of 1,000,000 rows…"
read -r _ ROWS_N ROWS_MB _ ROWS_SECS _ ROWS_RATE _ < <("$CARGO_TARGET_DIR/release/examples/audit" 1000000 | tr '\t' ' ')

P95=$(awk -F'\t' '$1 == "all queries" {print $3}' "$OUT" | sed 's/p95 //; s/ ms//')
MEDIAN=$(awk -F'\t' '$1 == "all queries" {print $2}' "$OUT" | sed 's/median //; s/ ms//')
printf '\n%s documents, %s MiB of text\n\n' "$DOCS" "$TEXT_MB"
grep -E '^(intake|processing|index|as processing)' "$OUT" | awk -F'\t' '{printf "- %s: %s %s\n", $1, $2, $3}'
printf '\n| query (custos: median of 7 after the rebuild, 100 hits with snippets) | custos | grep -ril | rg -il |\n|---|---:|---:|---:|\n%s' "$ROWS"
printf '\n| ordered proximity (outside the 20: it reads every position of its words) | median | slowest of 7 | hits |\n|---|---:|---:|---:|\n'
awk -F'\t' '$1 == "ordered proximity" {printf "| `%s` | %s | %s | %s |\n", $2, $3, $4, $5}' "$OUT" | sed 's/ median//; s/ slowest//; s/ hits |/ |/'
printf '\n| measurement | value | target | |\n|---|---:|---|---|\n'
printf '| all queries, median | %s ms | | |\n' "$MEDIAN"
printf '| all queries, 95th percentile | %s ms | ≤ 50 ms | %s |\n' "$P95" "$(python3 -c "print('met' if $P95 <= 50 else 'NOT MET')")"
printf '| a Microsoft 365 audit log of %s rows (%s MiB) read into events | %s rows/s (%s s) | ≥ 100,000 rows/s | %s |\n' \
    "$ROWS_N" "$ROWS_MB" "$ROWS_RATE" "$ROWS_SECS" "$(python3 -c "print('met' if $ROWS_RATE >= 100000 else 'NOT MET')")"
printf '| peak memory of `custos search` (opening the vault included) | %d MiB | report | |\n' $(( $(cat "$BENCH_DIR/cli-rss") / 1024 ))
printf '| peak memory of the bench (building the vault included) | %d MiB | report | |\n' $(( $(cat "$BENCH_DIR/rss") / 1024 ))
