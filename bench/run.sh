#!/usr/bin/env bash
# Custos intake/verify benchmark: compares `custos add` and `custos verify`
# with the tools an examiner would otherwise use (md5sum, sha256sum, openssl,
# age, hashdeep) on the same cached data, and checks the performance targets.
#
# Usage: make bench   (or: bash bench/run.sh)
# Environment:
#   BENCH_DIR        scratch folder for data and vaults (default /var/tmp/custos-bench)
#   KEEP=1           keep BENCH_DIR afterwards (the data is then reused next time)
#   RUNS             runs per measurement, median reported (default 3; keep it odd)
#   CARGO_TARGET_DIR cargo target folder (default $HOME/.cache/custos/target)
#
# It is a report, not a test: it exits 0 whether the targets are met or not,
# and non-zero only if a tool fails or the setup cannot be done.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/var/tmp/custos-bench}
KEEP=${KEEP:-0}
RUNS=${RUNS:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/custos/target}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CUSTOS=$CARGO_TARGET_DIR/release/custos

# Vault init/open read the passphrase from here; it is a throwaway vault.
export CUSTOS_PASSPHRASE="bench passphrase"
# log2 N of scrypt for the bench vaults: every custos command unlocks once,
# and at 10 that costs about a millisecond instead of ~0.5 s at the default 18.
WORK_FACTOR=10

BIG_SIZE=1G
SMALL_DIRS=100      # 100 subfolders ...
SMALL_PER_DIR=100   # ... of 100 files each = 10,000 files
SMALL_BYTES=10240   # of 10 KiB each
SMALL_FILES=$((SMALL_DIRS * SMALL_PER_DIR))

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }

# ---------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------

# Root runs apt-get directly; anyone else goes through sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# package:command pairs; a package is installed only if its command is missing,
# and apt-get update runs only then, so repeated runs touch nothing.
ensure_packages() {
    local missing=() pair
    for pair in hashdeep:hashdeep age:age age:age-keygen time:/usr/bin/time zip:zip \
                openssl:openssl coreutils:sha256sum coreutils:md5sum; do
        command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    # Deduplicate (age appears twice).
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    say "Installing missing packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

build_custos() {
    # make may run with a PATH that lacks rustup's folder.
    command -v cargo >/dev/null 2>&1 || PATH=$HOME/.cargo/bin:$PATH
    say "Building custos (release) into $CARGO_TARGET_DIR ..."
    (cd "$REPO" && cargo build --release --quiet -p custos-cli && cargo build --release --quiet -p custos-core --example compute-floor)
    [ -x "$CUSTOS" ] || die "no binary at $CUSTOS after the build"
}

# The CPU cost per GiB of each piece of required work (MD5, SHA-256, sealing
# and opening objects), measured in memory on this machine.
measure_floor() {
    say "Measuring the compute floor ..."
    "$CARGO_TARGET_DIR/release/examples/compute-floor" > "$BENCH_DIR/floor.tsv"
}

# ---------------------------------------------------------------------------
# 2. Scratch folder and data
# ---------------------------------------------------------------------------

# The scratch folder holds the inputs and the vaults, so the copy custos makes
# lands on the same disk as its input, as in real use. A marker file makes
# sure the clean-up never deletes a folder this script did not create.
MARKER=.custos-bench-scratch
prepare_scratch() {
    if [ -d "$BENCH_DIR" ] && [ ! -e "$BENCH_DIR/$MARKER" ] && [ -n "$(ls -A "$BENCH_DIR")" ]; then
        die "$BENCH_DIR exists, is not empty and was not made by this script; set BENCH_DIR"
    fi
    mkdir -p "$BENCH_DIR"
    touch "$BENCH_DIR/$MARKER"
    BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
    BIG=$BENCH_DIR/data/big.bin
    SMALL=$BENCH_DIR/data/small
    WORK=$BENCH_DIR/work        # vaults and outputs, emptied between runs
    RESULTS=$BENCH_DIR/results.tsv
    TIMEF=$BENCH_DIR/time.out
    LOG=$BENCH_DIR/last-run.log
    mkdir -p "$BENCH_DIR/data" "$WORK"
    : > "$RESULTS"
}

cleanup() {
    if [ "$KEEP" = 1 ]; then
        say "Kept $BENCH_DIR (KEEP=1)."
    elif [ -n "${BENCH_DIR:-}" ] && [ -e "$BENCH_DIR/$MARKER" ]; then
        rm -rf -- "$BENCH_DIR"
    fi
}

make_data() {
    # Random bytes: incompressible and unique, so nothing can be deduplicated.
    if [ "$(stat -c %s "$BIG" 2>/dev/null || echo 0)" != 1073741824 ]; then
        say "Writing 1 GiB of random bytes ..."
        head -c "$BIG_SIZE" /dev/urandom > "$BIG.tmp" && mv "$BIG.tmp" "$BIG"
    fi
    if [ "$(find "$SMALL" -type f 2>/dev/null | wc -l)" != "$SMALL_FILES" ]; then
        say "Writing $SMALL_FILES files of $SMALL_BYTES random bytes ..."
        rm -rf "$SMALL"
        local d
        for d in $(seq -w 0 $((SMALL_DIRS - 1))); do
            mkdir -p "$SMALL/d$d"
            # One random blob per folder, cut by split into equal files: fast,
            # and needs nothing beyond coreutils.
            head -c $((SMALL_PER_DIR * SMALL_BYTES)) /dev/urandom \
                | split -b "$SMALL_BYTES" -d -a 3 - "$SMALL/d$d/f"
        done
    fi
    # Generating the data leaves a lot of dirty pages; flush them now so the
    # writeback is not charged to the first measurement.
    sync
}

# ---------------------------------------------------------------------------
# 3. Measuring
# ---------------------------------------------------------------------------

# Every tool reads from the page cache, so the comparison is of CPU and write
# cost, not of how fast the disk happened to read.
warm_big()   { cat "$BIG" > /dev/null; }
warm_small() { find "$SMALL" -type f -exec cat {} + > /dev/null; }

# Run before each timed run (not timed). Each empties WORK and syncs, so no run
# pays for the writeback of the previous run's output, and the disk never holds
# more than one 1 GiB vault or output.
reset_work() { rm -rf "${WORK:?}"/*; sync; }
setup_big()  { reset_work; warm_big; }
setup_small(){ reset_work; warm_small; }
new_vault()  {
    "$CUSTOS" init "$WORK/vault" --matter Bench --examiner Bench \
        --work-factor "$WORK_FACTOR" > /dev/null
    sync
}
setup_big_vault()   { setup_big;   new_vault; }
# Small files: the previous run's vault is moved aside, not deleted, until the
# case ends. ext4 skips inodes freed in the last minutes when it allocates new
# ones, and that scan made runs that followed the deletion of 10,000 objects
# up to twice as slow.
SMALL_RUN=0
setup_small_vault() {
    SMALL_RUN=$((SMALL_RUN + 1))
    [ -d "$WORK/vault" ] && mv "$WORK/vault" "$WORK/done-$SMALL_RUN"
    warm_small; sync; new_vault
}
# Verify re-reads the same vault each run; warm its objects and database.
setup_verify() {
    find "$VERIFY_VAULT" -type f -exec cat {} + > /dev/null
    sync
}

# Other processes competing for the CPU (a build, a test run) skew every
# number. Busy CPU time of the whole machine (/proc/stat, in seconds) is read
# around each timed run; what the measured command did not use itself is
# added up in OTHER_CPU and reported.
busy_cpu_s() {
    awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}
OTHER_CPU=0
TIMED_WALL=0

# measure ID CASE TOOL SETUP_FUNCTION COMMAND...
# Times COMMAND RUNS times with GNU time (wall seconds, peak RSS in KiB of the
# largest process it waited for, CPU share), after SETUP_FUNCTION each time,
# and appends "ID CASE TOOL median_wall peak_rss_kib" to RESULTS. Peak RSS is
# the maximum over the runs. The CPU share is only shown, to explain outliers.
measure() {
    local id=$1 case=$2 tool=$3 setup=$4; shift 4
    local walls=() rss_max=0 i wall rss cpu usr sys busy0 busy1 other
    say "* $case / $tool"
    for ((i = 1; i <= RUNS; i++)); do
        "$setup"
        busy0=$(busy_cpu_s)
        if ! /usr/bin/time -f '%e %M %P %U %S' -o "$TIMEF" "$@" > "$LOG" 2>&1; then
            say "  run $i failed: $*"
            tail -n 20 "$LOG" >&2
            die "a measured command failed; no report"
        fi
        busy1=$(busy_cpu_s)
        read -r wall rss cpu usr sys < <(tail -n 1 "$TIMEF")
        other=$(awk -v b0="$busy0" -v b1="$busy1" -v u="$usr" -v s="$sys" \
            'BEGIN { o = b1 - b0 - u - s; print (o > 0 ? o : 0) }')
        OTHER_CPU=$(awk -v a="$OTHER_CPU" -v o="$other" 'BEGIN { print a + o }')
        TIMED_WALL=$(awk -v a="$TIMED_WALL" -v w="$wall" 'BEGIN { print a + w }')
        walls+=("$wall")
        [ "$rss" -gt "$rss_max" ] && rss_max=$rss
        say "  run $i/$RUNS: ${wall} s, $((rss / 1024)) MiB, CPU $cpu, others $(awk -v o="$other" -v w="$wall" 'BEGIN { printf "%.2f", (w > 0 ? o / w : 0) }') cores"
    done
    local median
    median=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p")
    printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$case" "$tool" "$median" "$rss_max" >> "$RESULTS"
}

# ---------------------------------------------------------------------------
# 4.-6. The cases and the report
# ---------------------------------------------------------------------------

run_cases() {
    local big_case="1 GiB file" small_case="$SMALL_FILES x 10 KiB"

    measure md5 "$big_case" "md5sum" setup_big md5sum "$BIG"
    measure sha256 "$big_case" "sha256sum" setup_big sha256sum "$BIG"
    measure openssl "$big_case" "openssl dgst -sha256" setup_big openssl dgst -sha256 "$BIG"

    # What an examiner does without Custos: hash twice, then encrypt with age.
    # (age-keygen never overwrites: a key kept by KEEP=1 is replaced here.)
    rm -f "$BENCH_DIR/age-key.txt"
    age-keygen -o "$BENCH_DIR/age-key.txt" 2>/dev/null
    local recipient
    recipient=$(age-keygen -y "$BENCH_DIR/age-key.txt")
    measure byhand "$big_case" "sha256sum; md5sum; age -r" setup_big \
        bash -c 'sha256sum "$1"; md5sum "$1"; age -r "$2" -o "$3" "$1"' _ \
        "$BIG" "$recipient" "$WORK/big.age"

    measure add_nv "$big_case" "custos add --no-verify-after-copy" setup_big_vault \
        "$CUSTOS" add "$WORK/vault" "$BIG" --no-verify-after-copy
    measure add_v "$big_case" "custos add (verify after copy)" setup_big_vault \
        "$CUSTOS" add "$WORK/vault" "$BIG"

    # One vault holding the 1 GiB file, kept outside WORK, verified RUNS times.
    VERIFY_VAULT=$BENCH_DIR/verify-vault
    reset_work
    rm -rf "$VERIFY_VAULT"
    "$CUSTOS" init "$VERIFY_VAULT" --matter Bench --examiner Bench --work-factor "$WORK_FACTOR" > /dev/null
    "$CUSTOS" add "$VERIFY_VAULT" "$BIG" > /dev/null 2>&1
    measure verify "$big_case" "custos verify (full)" setup_verify \
        "$CUSTOS" verify "$VERIFY_VAULT"

    # Export of the same 1 GiB (decrypted and re-hashed while written) against
    # storing the plaintext in a zip. Same Bates numbers each run, so each
    # export is the same production.
    measure zip0 "$big_case" "zip -0 -r" setup_big \
        zip -0 -q -r "$WORK/plain.zip" "$BIG"
    measure export "$big_case" "custos export" setup_verify \
        bash -c 'rm -f "$2"; "$1" export "$3" --out "$2" --bates-prefix BENCH --bates-start 1' _ \
        "$CUSTOS" "$WORK/bundle.zip" "$VERIFY_VAULT"
    rm -rf "$VERIFY_VAULT"

    measure hashdeep "$small_case" "hashdeep -c md5,sha256 -r" setup_small \
        hashdeep -c md5,sha256 -r "$SMALL"
    reset_work
    measure add_small "$small_case" "custos add (verify after copy)" setup_small_vault \
        "$CUSTOS" add "$WORK/vault" "$SMALL"
    reset_work
}

report() {
    echo
    echo "## Custos benchmark"
    echo
    echo "- custos $("$CUSTOS" --version | awk '{print $2}') (git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), $(findmnt -n -o FSTYPE -T "$BENCH_DIR") at $BENCH_DIR"
    echo "- median of $RUNS runs; inputs in the page cache; peak RSS is the largest over the runs"
    echo "- vaults use scrypt work factor $WORK_FACTOR (one scrypt per command), so the unlock cost is negligible"
    echo "- custos add makes its objects durable (fsync) and commits with synchronous=FULL; the by-hand sequence does not sync"
    local other
    other=$(awk -v o="$OTHER_CPU" -v w="$TIMED_WALL" 'BEGIN { printf "%.1f s of CPU in %.1f s of timed runs (%.2f cores on average)", o, w, (w > 0 ? o / w : 0) }')
    echo "- CPU used by other processes (and kernel writeback) during the timed runs: $other"
    if awk -v o="$OTHER_CPU" -v w="$TIMED_WALL" 'BEGIN { exit !(w > 0 && o / w > 0.25) }'; then
        echo "- WARNING: something else was using the CPU during the runs, so the times are pessimistic; rerun on an idle machine."
    fi
    echo
    awk -F'\t' -v nsmall="$SMALL_FILES" -v floorfile="$BENCH_DIR/floor.tsv" '
        { id[NR] = $1; cs[NR] = $2; tool[NR] = $3; wall[NR] = $4; rss[NR] = $5 / 1024; w[$1] = $4 }
        END {
            md5 = w["md5"]
            print "| case | tool | median wall s | ratio to md5sum | files/s | peak RSS MiB |"
            print "|---|---|---:|---:|---:|---:|"
            for (i = 1; i <= NR; i++) {
                small = (cs[i] ~ /KiB/)
                ratio = small ? "" : sprintf("%.2f", wall[i] / md5)
                fps = small ? sprintf("%.0f", (wall[i] > 0 ? nsmall / wall[i] : 0)) : ""
                printf "| %s | %s | %.2f | %s | %s | %.1f |\n", cs[i], tool[i], wall[i], ratio, fps, rss[i]
            }

            # Peak RSS target: the largest custos process in any case.
            maxrss = 0; maxrss_tool = ""
            for (i = 1; i <= NR; i++)
                if (tool[i] ~ /^custos/ && rss[i] > maxrss) { maxrss = rss[i]; maxrss_tool = cs[i] ", " tool[i] }

            print ""
            print "### Targets"
            print ""
            target("custos add --no-verify-after-copy <= 1.2x md5sum", w["add_nv"] / md5, "<=", 1.2, "%.2fx")
            target("custos add (verify after copy) <= 1.8x md5sum", w["add_v"] / md5, "<=", 1.8, "%.2fx")
            target("custos add (verify) >= 2.5x faster than sha256sum; md5sum; age", w["byhand"] / w["add_v"], ">=", 2.5, "%.2fx")
            target("peak RSS of custos <= 64 MiB (max: " maxrss_tool ")", maxrss, "<=", 64, "%.1f MiB")
            target("custos add of small files >= 3000 files/s", nsmall / w["add_small"], ">=", 3000, "%.0f files/s")
            target("custos verify (full) <= 1.3x md5sum", w["verify"] / md5, "<=", 1.3, "%.2fx")
            target("custos export <= 1.5x zip -0 -r", w["export"] / w["zip0"], "<=", 1.5, "%.2fx")
            printf "\n%d of %d targets met.\n", met, met + missed

            # The least wall time the required hashing and encryption allow
            # on these cores (no I/O counted): the busier of the MD5 thread
            # and all the work spread evenly over the cores.
            while ((getline line < floorfile) > 0) { split(line, kv, "\t"); f[kv[1]] = kv[2] }
            if (f["cores"] > 0) {
                print ""
                print "### Compute floor (no I/O counted)"
                print ""
                printf "Per GiB on this machine: MD5 %.2f s, SHA-256 %.2f s, sealing an object (age, ChaCha20-Poly1305) %.2f s, opening one %.2f s; %d cores.\n\n", f["md5"], f["sha256"], f["seal"], f["open"], f["cores"]
                print "| case | required work per GiB | floor s | floor / md5sum | measured / floor |"
                print "|---|---|---:|---:|---:|"
                floor_row("custos add --no-verify-after-copy", "MD5 + 2 SHA-256 + seal", f["md5"], f["md5"] + 2 * f["sha256"] + f["seal"], w["add_nv"], md5)
                floor_row("custos add (verify after copy)", "the above + open + SHA-256 (read back while written)", f["md5"], f["md5"] + 3 * f["sha256"] + f["seal"] + f["open"], w["add_v"], md5)
                floor_row("custos verify (full)", "MD5 + 2 SHA-256 + open", f["md5"], f["md5"] + 2 * f["sha256"] + f["open"], w["verify"], md5)
            }
        }
        function floor_row(name, work, longest, total, measured, md5,   fl) {
            fl = total / f["cores"]
            if (longest > fl) fl = longest
            printf "| %s | %s | %.2f | %.2f | %.2f |\n", name, work, fl, fl / md5, measured / fl
        }
        function target(name, value, op, limit, fmt,   ok) {
            ok = (op == "<=") ? (value <= limit) : (value >= limit)
            if (ok) met++; else missed++
            printf "- %s %s: " fmt " (target %s %s)\n", (ok ? "PASS" : "MISS"), name, value, op, limit
        }
    ' "$RESULTS"
}

main() {
    ensure_packages
    build_custos
    prepare_scratch
    measure_floor
    trap cleanup EXIT
    make_data
    run_cases
    report
}

main "$@"
