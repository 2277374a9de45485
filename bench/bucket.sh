#!/usr/bin/env bash
# Custos bucket benchmark: intake into a vault whose objects live in an S3
# bucket with Object Lock, against the AWS CLI copying the same plaintext
# files into a bucket, on one local radosgw (scripts/radosgw.sh) in one run.
#
#   1 GiB in 8 files, and 10,000 files of 10 KiB:
#     `custos add` (hash SHA-256 + MD5, encrypt, read back, upload each object
#     once with its lock, record and log it) against
#     `aws s3 cp --recursive` of the plaintext (no lock, nothing else).
#     Target: at least 0.8x the AWS CLI's throughput.
#   Full verify of the 1 GiB vault, streaming every object back from the
#     bucket (reported).
#
# Usage: bash bench/bucket.sh   (part of `make bench`)
# Environment:
#   BENCH_DIR        scratch folder (default /var/tmp/custos-bench-bucket)
#   KEEP=1           keep the generated data
#   CARGO_TARGET_DIR cargo target folder (default $HOME/.cache/custos/target)
#
# A report, not a test: it exits 0 whether the targets are met or not.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/var/tmp/custos-bench-bucket}
KEEP=${KEEP:-0}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need aws python3 curl radosgw ceph-mon ceph-osd
build_custos

GW=$BENCH_DIR/radosgw
stop_gateway() { bash "$REPO/scripts/radosgw.sh" stop "$GW" >/dev/null 2>&1 || true; }
trap 'stop_gateway; cleanup' EXIT
say "starting radosgw on 127.0.0.1…"
# The OSD keeps its data in memory: room for the copies of both runs.
eval "$(bash "$REPO/scripts/radosgw.sh" start "$GW" 17480 6144 | sed 's/^/export /')"
[ -n "${S3_ENDPOINT:-}" ] || die "radosgw did not start (see $GW/log)"
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_PAGER=
s3() { aws --endpoint-url "$S3_ENDPOINT" "$@"; }

if [ ! -f "$DATA/.made" ]; then
    say "generating 1 GiB in 8 files and 10,000 files of 10 KiB…"
    rm -rf "$DATA" && mkdir -p "$DATA/big" "$DATA/small"
    for i in 1 2 3 4 5 6 7 8; do
        head -c $((128 << 20)) /dev/urandom > "$DATA/big/part$i.bin"
    done
    python3 - "$DATA/small" <<'PY'
import os, sys
d = sys.argv[1]
for i in range(10000):
    with open(os.path.join(d, "f%05d.txt" % i), "wb") as f:
        f.write(os.urandom(10240))
PY
    touch "$DATA/.made"
fi

config() {
    cat > "$BENCH_DIR/$1.toml" <<EOF
[objects]
endpoint = "$S3_ENDPOINT"
bucket = "$1"
retention_days = 1
mode = "compliance"
EOF
    echo "$BENCH_DIR/$1.toml"
}

declare -A T
run_pair() { # NAME FOLDER
    local name=$1 folder=$2 t0 t1
    s3 s3api create-bucket --bucket "cli-$name" >/dev/null
    s3 s3api create-bucket --bucket "vault-$name" --object-lock-enabled-for-bucket >/dev/null
    sync
    t0=$(now); s3 s3 cp --recursive --quiet "$folder" "s3://cli-$name/" ; t1=$(now)
    T[cli-$name]=$(secs "$t0" "$t1")
    rm -rf "$BENCH_DIR/vault-$name"
    "$CUSTOS" init "$BENCH_DIR/vault-$name" --matter "Bench" --examiner "Bench" --work-factor 10 \
        --objects "$(config "vault-$name")" >/dev/null
    t0=$(now); "$CUSTOS" add "$BENCH_DIR/vault-$name" "$folder" --no-process >/dev/null; t1=$(now)
    T[custos-$name]=$(secs "$t0" "$t1")
}

say "1 GiB in 8 files…"
run_pair big "$DATA/big"
say "10,000 files of 10 KiB…"
run_pair small "$DATA/small"
say "full verify of the 1 GiB vault…"
t0=$(now); "$CUSTOS" verify "$BENCH_DIR/vault-big" >/dev/null; t1=$(now)
T[verify]=$(secs "$t0" "$t1")

python3 - "${T[cli-big]}" "${T[custos-big]}" "${T[cli-small]}" "${T[custos-small]}" "${T[verify]}" <<'PY'
import sys
cb, ub, cs, us, v = map(float, sys.argv[1:])
def row(what, cli, custos, mib):
    ratio = cli / custos
    print(f"| {what} | {cli:.2f} s ({mib / cli:.0f} MiB/s) | {custos:.2f} s ({mib / custos:.0f} MiB/s) | {ratio:.2f}x | >= 0.8x | {'met' if ratio >= 0.8 else 'NOT met'} |")
print("| measurement | aws s3 cp --recursive | custos add (objects in the bucket) | throughput ratio | target | |")
print("|---|---:|---:|---:|---|---|")
row("1 GiB in 8 files", cb, ub, 1024)
row("10,000 files of 10 KiB", cs, us, 10000 * 10 / 1024)
print(f"| full verify of the 1 GiB vault, streamed from the bucket | | {v:.2f} s ({1024 / v:.0f} MiB/s) | | report | |")
PY
