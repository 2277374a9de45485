#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the firm-catalog tests and benchmark, on
# 127.0.0.1, all in DIR, with password (SCRAM) authentication: a superuser
# (for the tests' own checks) and a `custos` role that owns the `matters`
# database, as a firm's DBA would set it up.
#
#   scripts/postgres.sh start DIR [PORT]   # prints PG_PORT=…, PG_ADMIN_PASSWORD=…, PG_PASSWORD=…
#   scripts/postgres.sh stop DIR           # stops the server it started (pg_ctl, by its data folder)
#   scripts/postgres.sh restart DIR        # starts it again on the same data and port
#   scripts/postgres.sh pid DIR            # the postmaster's PID
#
# Run as root, the server runs as the unprivileged `postgres` user (PostgreSQL
# refuses to run as root); otherwise as the caller.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start DIR [PORT] | stop DIR | restart DIR | pid DIR" >&2
    exit 2
fi
# The server's programs (Debian keeps them out of PATH).
bindir="$(pg_config --bindir 2>/dev/null || true)"
if [ ! -x "$bindir/pg_ctl" ]; then
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
fi
[ -x "$bindir/initdb" ] || { echo "PostgreSQL's server is not installed (Debian package postgresql)" >&2; exit 2; }

server_start() {
    as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $(cat "$dir/port") -k $dir -c fsync=off -c max_connections=50" start >/dev/null
}

as_server() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    port="${3:-5499}"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$dir"
    fi
    admin_pw="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    custos_pw="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    as_server sh -c "umask 077; printf '%s\n' '$admin_pw' > '$dir/admin-pw'"
    as_server "$bindir/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$dir/admin-pw" -E UTF8 --no-sync >"$dir/initdb.log"
    echo "$port" > "$dir/port"
    server_start
    PGPASSWORD="$admin_pw" psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE custos LOGIN PASSWORD '$custos_pw'" \
        -c "CREATE DATABASE matters OWNER custos" >/dev/null
    PGPASSWORD="$admin_pw" psql -q -h 127.0.0.1 -p "$port" -U postgres -d matters -v ON_ERROR_STOP=1 \
        -c "REVOKE ALL ON SCHEMA public FROM PUBLIC" >/dev/null
    echo "PG_PORT=$port"
    echo "PG_ADMIN_PASSWORD=$admin_pw"
    echo "PG_PASSWORD=$custos_pw"
    ;;
stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_server "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
restart)
    dir="$(cd "$dir" && pwd)"
    server_start
    ;;
pid)
    head -1 "$dir/data/postmaster.pid"
    ;;
*)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
