#!/usr/bin/env bash
# A throwaway S3 server with Object Lock for the firm-objects tests and
# benchmark: a one-node Ceph cluster (one monitor, one OSD keeping its data
# in memory) and radosgw, all on 127.0.0.1, all in DIR.
#
#   scripts/radosgw.sh start DIR [PORT] [MEMORY_MIB]   # prints S3_ENDPOINT=… and the keys
#   scripts/radosgw.sh stop DIR                        # stops exactly the processes it started
#   scripts/radosgw.sh gateway-stop DIR                # stops radosgw only (the server goes away)
#   scripts/radosgw.sh gateway-start DIR               # starts it again on the same data
#
# Every PID started is written to DIR/pids; stop kills those and nothing else.
# The data lives in the OSD's memory: stopping the cluster loses it.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start DIR [PORT] [MEMORY_MIB] | stop DIR | gateway-stop DIR | gateway-start DIR" >&2
    exit 2
fi

stop() {
    [ -f "$dir/pids" ] || return 0
    # radosgw first, the OSD, then the monitor.
    for pid in $(tac "$dir/pids"); do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $(cat "$dir/pids"); do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -f "$dir/pids"
}

wait_gateway() {
    local port
    port="$(sed -n 's/^S3_ENDPOINT=http:\/\/127.0.0.1://p' "$dir/env" 2>/dev/null || true)"
    [ -n "$port" ] || port="$1"
    for _ in $(seq 600); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "error: radosgw did not answer on 127.0.0.1:$port (see $dir/log)" >&2
    return 1
}

start_gateway() {
    CEPH_CONF="$dir/ceph.conf" radosgw -n client.rgw.a -f >>"$dir/log/rgw.out" 2>&1 &
    echo $! >> "$dir/pids"
    echo $! > "$dir/rgw.pid"
}

case "$cmd" in
    stop)
        stop
        exit 0 ;;
    gateway-stop)
        pid="$(cat "$dir/rgw.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        grep -vx "$pid" "$dir/pids" > "$dir/pids.new" || true
        mv "$dir/pids.new" "$dir/pids"
        rm -f "$dir/rgw.pid"
        exit 0 ;;
    gateway-start)
        start_gateway
        wait_gateway 0
        exit $? ;;
esac
[ "$cmd" = start ] || { echo "unknown command: $cmd" >&2; exit 2; }

port="${3:-7480}"
memory_mib="${4:-1024}"
# The monitor's port is derived from radosgw's so that clusters in two
# folders can run side by side.
mon_port=$((port + 10000))
for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool; do
    command -v "$tool" >/dev/null || { echo "error: $tool is not installed (Debian: radosgw ceph-mon ceph-osd)" >&2; exit 1; }
done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
trap 'stop' ERR
fsid="$(cat /proc/sys/kernel/random/uuid)"
conf="$dir/ceph.conf"
mkdir -p "$dir/mon" "$dir/osd" "$dir/run" "$dir/log"
cat > "$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# A throwaway cluster: the monitor must not stop because the machine's disk
# is nearly full (its default is to shut down below 5 % free).
mon data avail crit = 0
mon data avail warn = 0
mon data = $dir/mon/\$cluster-\$id
osd data = $dir/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = $((memory_mib * 1024 * 1024))
[osd]
keyring = $dir/osd/\$cluster-\$id/keyring
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$port
EOF
export CEPH_CONF="$conf"
ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
: > "$dir/pids"
ceph-mon -i a -f >>"$dir/log/mon.out" 2>&1 &
echo $! >> "$dir/pids"

uuid="$(cat /proc/sys/kernel/random/uuid)"
id="$(timeout 60 ceph osd new "$uuid")"
mkdir -p "$dir/osd/ceph-$id"
ceph-osd -i "$id" --mkfs --mkkey --no-mon-config --osd-uuid "$uuid" >>"$dir/log/osd-mkfs.out" 2>&1
ceph auth add "osd.$id" osd 'allow *' mon 'allow profile osd' -i "$dir/osd/ceph-$id/keyring" >/dev/null 2>&1
ceph osd crush add "osd.$id" 1.0 root=default >/dev/null 2>&1
ceph-osd -i "$id" -f >>"$dir/log/osd.out" 2>&1 &
echo $! >> "$dir/pids"

ceph-authtool "$dir/keyring" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
ceph auth add client.rgw.a -i "$dir/keyring" >/dev/null 2>&1 || true
start_gateway
wait_gateway "$port" || { stop; exit 1; }

access="$(head -c 10 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
secret="$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')"
radosgw-admin user create --uid=custos --display-name=custos --access-key="$access" --secret-key="$secret" >/dev/null 2>&1
cat > "$dir/env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$port
AWS_ACCESS_KEY_ID=$access
AWS_SECRET_ACCESS_KEY=$secret
EOF
cat "$dir/env"
