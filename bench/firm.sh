#!/usr/bin/env bash
# Custos firm-vault benchmark: objects in an S3 bucket with Object Lock (one
# local radosgw, scripts/radosgw.sh), catalog and custody log in PostgreSQL
# (one local cluster, scripts/postgres.sh), in one run.
#
#   Intake of 1 GiB in 8 files and of 10,000 files of 10 KiB into a firm
#     vault (hash, encrypt, read back, upload each object locked, record and
#     log it, and commit each batch in PostgreSQL first, sealed) against
#     `aws s3 cp --recursive` of the plaintext. Target: at least 0.8x.
#   The list of a firm matter of 50,000 exhibits, as the app reads it from
#     its copy of the catalog (first window, whole list; core API, as
#     bench/scale.sh measures). Target: 300 ms. Also reported: opening the
#     copy, and the whole `custos list --json` process.
#   Joining that matter from a second copy (replaying every change).
#   Two clients taking in 5,000 files of 10 KiB each at the same moment,
#     against one client taking in all 10,000.
#   Full verify of the 1 GiB vault (objects streamed from the bucket, every
#     table of the database compared with the copy).
#
# Usage: bash bench/firm.sh   (part of `make bench`)
# Environment:
#   BENCH_DIR        scratch folder (default /var/tmp/custos-bench-firm)
#   KEEP=1           keep the generated data
#   CARGO_TARGET_DIR cargo target folder (default $HOME/.cache/custos/target)
#
# A report, not a test: it exits 0 whether the targets are met or not.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/var/tmp/custos-bench-firm}
KEEP=${KEEP:-0}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need aws python3 curl radosgw ceph-mon ceph-osd psql pg_config
build_custos
(cd "$REPO" && cargo build -q --release --locked -p custos-core --example firm-list)

GW=$BENCH_DIR/radosgw
PG=$BENCH_DIR/postgres
stop_servers() {
    bash "$REPO/scripts/radosgw.sh" stop "$GW" >/dev/null 2>&1 || true
    bash "$REPO/scripts/postgres.sh" stop "$PG" >/dev/null 2>&1 || true
}
trap 'stop_servers; cleanup' EXIT
say "starting radosgw and PostgreSQL on 127.0.0.1…"
eval "$(bash "$REPO/scripts/radosgw.sh" start "$GW" 17490 8192 | sed 's/^/export /')"
eval "$(bash "$REPO/scripts/postgres.sh" start "$PG" 15499 | sed 's/^/export /')"
[ -n "${S3_ENDPOINT:-}" ] || die "radosgw did not start (see $GW/log)"
[ -n "${PG_PASSWORD:-}" ] || die "PostgreSQL did not start (see $PG/log)"
export PGPASSWORD=$PG_PASSWORD PGPASSFILE=/nonexistent
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_PAGER=
s3() { aws --endpoint-url "$S3_ENDPOINT" "$@"; }
admin() { PGPASSWORD=$PG_ADMIN_PASSWORD psql -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U postgres -d matters -c "$1"; }

if [ ! -f "$DATA/.made" ]; then
    say "generating 1 GiB in 8 files, 10,000 files of 10 KiB, 50,000 small files…"
    rm -rf "$DATA" && mkdir -p "$DATA/big" "$DATA/small" "$DATA/many" "$DATA/two/a" "$DATA/two/b"
    for i in 1 2 3 4 5 6 7 8; do
        head -c $((128 << 20)) /dev/urandom > "$DATA/big/part$i.bin"
    done
    python3 - "$DATA" <<'PY'
import os, sys
d = sys.argv[1]
for i in range(10000):
    with open(os.path.join(d, "small", "f%05d.txt" % i), "wb") as f:
        f.write(os.urandom(10240))
for i in range(50000):
    sub = os.path.join(d, "many", "d%02d" % (i // 1000))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "m%05d.txt" % i), "w") as f:
        f.write("exhibit %d of the matter\n" % i)
for who in "ab":
    for i in range(5000):
        with open(os.path.join(d, "two", who, "%s%05d.txt" % (who, i)), "wb") as f:
            f.write(os.urandom(10240))
PY
    touch "$DATA/.made"
fi

# A firm config for bucket NAME (made with Object Lock).
firm_config() {
    s3 s3api create-bucket --bucket "$1" --object-lock-enabled-for-bucket >/dev/null
    cat > "$BENCH_DIR/$1.toml" <<EOF
[objects]
endpoint = "$S3_ENDPOINT"
bucket = "$1"
retention_days = 1
mode = "compliance"

[catalog]
url = "postgresql://custos@127.0.0.1:$PG_PORT/matters"
EOF
    echo "$BENCH_DIR/$1.toml"
}
# A new firm vault at FOLDER on bucket NAME.
firm_vault() {
    rm -rf "$1"
    "$CUSTOS" init "$1" --matter "Bench" --examiner "Bench" --work-factor 10 --firm "$(firm_config "$2")" >/dev/null
}

declare -A T
run_pair() { # NAME FOLDER
    local name=$1 folder=$2 t0 t1
    s3 s3api create-bucket --bucket "cli-$name" >/dev/null
    sync
    t0=$(now); s3 s3 cp --recursive --quiet "$folder" "s3://cli-$name/"; t1=$(now)
    T[cli-$name]=$(secs "$t0" "$t1")
    firm_vault "$BENCH_DIR/vault-$name" "firm-$name"
    t0=$(now); "$CUSTOS" add "$BENCH_DIR/vault-$name" "$folder" --no-process >/dev/null; t1=$(now)
    T[custos-$name]=$(secs "$t0" "$t1")
}

say "1 GiB in 8 files…"
run_pair big "$DATA/big"
say "10,000 files of 10 KiB…"
run_pair small "$DATA/small"
say "full verify of the 1 GiB firm vault…"
t0=$(now); "$CUSTOS" verify "$BENCH_DIR/vault-big" >/dev/null; t1=$(now)
T[verify]=$(secs "$t0" "$t1")

say "a firm matter of 50,000 exhibits…"
firm_vault "$BENCH_DIR/vault-many" firm-many
t0=$(now); "$CUSTOS" add "$BENCH_DIR/vault-many" "$DATA/many" --no-process >/dev/null; t1=$(now)
T[many-intake]=$(secs "$t0" "$t1")
"$CUSTOS" list "$BENCH_DIR/vault-many" --json >/dev/null
best=999
for _ in 1 2 3 4 5; do
    t0=$(now); "$CUSTOS" list "$BENCH_DIR/vault-many" --json >/dev/null; t1=$(now)
    best=$(python3 -c "print(min($best, $t1 - $t0))")
done
T[list]=$best
"$CARGO_TARGET_DIR/release/examples/firm-list" "$BENCH_DIR/vault-many" > "$BENCH_DIR/firm-list.md"
n=$("$CUSTOS" list "$BENCH_DIR/vault-many" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
CUSTOS_NEW_PASSPHRASE="second bench passphrase" "$CUSTOS" member add "$BENCH_DIR/vault-many" --name "Second" --work-factor 10 >/dev/null
rm -rf "$BENCH_DIR/copy-many"
t0=$(now); CUSTOS_PASSPHRASE="second bench passphrase" "$CUSTOS" join "$BENCH_DIR/copy-many" --firm "$BENCH_DIR/firm-many.toml" \
    --matter "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vault_id"])' "$BENCH_DIR/vault-many/custos-vault.json")" >/dev/null; t1=$(now)
T[join]=$(secs "$t0" "$t1")
db_size=$(admin "SELECT pg_size_pretty(pg_database_size('matters'))")

say "two clients at once, 5,000 files of 10 KiB each…"
firm_vault "$BENCH_DIR/vault-two" firm-two
CUSTOS_NEW_PASSPHRASE="second bench passphrase" "$CUSTOS" member add "$BENCH_DIR/vault-two" --name "Second" --work-factor 10 >/dev/null
rm -rf "$BENCH_DIR/copy-two"
CUSTOS_PASSPHRASE="second bench passphrase" "$CUSTOS" join "$BENCH_DIR/copy-two" --firm "$BENCH_DIR/firm-two.toml" \
    --matter "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vault_id"])' "$BENCH_DIR/vault-two/custos-vault.json")" >/dev/null
t0=$(now)
"$CUSTOS" add "$BENCH_DIR/vault-two" "$DATA/two/a" --no-process >/dev/null &
a=$!
CUSTOS_PASSPHRASE="second bench passphrase" "$CUSTOS" add "$BENCH_DIR/copy-two" "$DATA/two/b" --no-process >/dev/null &
b=$!
wait $a; wait $b
t1=$(now)
T[two]=$(secs "$t0" "$t1")
two_n=$("$CUSTOS" list "$BENCH_DIR/vault-two" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
"$CUSTOS" verify "$BENCH_DIR/vault-two" --quick >/dev/null && two_ok=yes || two_ok=NO

python3 - "${T[cli-big]}" "${T[custos-big]}" "${T[cli-small]}" "${T[custos-small]}" "${T[verify]}" \
    "${T[many-intake]}" "${T[list]}" "$n" "${T[join]}" "$db_size" "${T[two]}" "$two_n" "$two_ok" "$BENCH_DIR/firm-list.md" <<'PY'
import sys
a = sys.argv[1:]
cb, ub, cs, us, v, mi, ls = map(float, a[:7])
n, join, db, two, two_n, two_ok = int(a[7]), float(a[8]), a[9], float(a[10]), int(a[11]), a[12]
def row(what, cli, custos, mib):
    ratio = cli / custos
    print(f"| {what} | {cli:.2f} s ({mib / cli:.0f} MiB/s) | {custos:.2f} s ({mib / custos:.0f} MiB/s) | {ratio:.2f}x | >= 0.8x | {'met' if ratio >= 0.8 else 'NOT met'} |")
print("| measurement | aws s3 cp --recursive | custos (firm vault) | ratio | target | |")
print("|---|---:|---:|---:|---|---|")
row("intake of 1 GiB in 8 files", cb, ub, 1024)
row("intake of 10,000 files of 10 KiB", cs, us, 10000 * 10 / 1024)
print(f"| full verify of the 1 GiB firm vault (bucket streamed, database compared) | | {v:.2f} s | | report | |")
print(f"| intake of 50,000 small files (making the matter) | | {mi:.1f} s ({50000 / mi:.0f} files/s) | | report | |")
print(open(sys.argv[14]).read().rstrip())
print(f"| the whole `custos list --json` process on the {n:,}-exhibit matter (opening, listing, printing; best of 5) | | {ls * 1000:.0f} ms | | report | |")
print(f"| joining it from a second copy (replaying every change; database {db}) | | {join:.1f} s | | report | |")
print(f"| two clients at once, 5,000 files of 10 KiB each ({two_n:,} exhibits, quick verify {two_ok}) | | {two:.2f} s ({10000 / two:.0f} files/s) | {us / two:.2f}x one client's 10,000 | report | |")
PY
