#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server, so the store tests also run on PostgreSQL:
#   scripts/with_postgres.sh pytest -q
# The server lives in a temporary folder on 127.0.0.1 and is removed afterwards. Without PostgreSQL
# binaries the command runs alone (those tests then skip), except under CI=true, where Debian's
# postgresql package is installed first.
set -euo pipefail

# A database the caller chose wins over a throwaway one.
if [[ -n "${CONFLICTLENS_TEST_PG_URL:-}" ]]; then
    exec "$@"
fi

find_bin() {
    command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1
}

if [[ -z "$(find_bin initdb)" && "${CI:-}" == "true" ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
if [[ -z "$INITDB" || -z "$PG_CTL" ]]; then
    echo "with_postgres: no PostgreSQL binaries; PostgreSQL tests will skip" >&2
    exec "$@"
fi

DIR=$(mktemp -d)
# The first free port from CONFLICTLENS_PG_PORT (default 54329) on: another checkout's tests may
# hold it, and two runs may pick the same free port at once, so a failed bind tries the next one.
FIRST_PORT=${CONFLICTLENS_PG_PORT:-54329}
PORT_ATTEMPTS=20
# PostgreSQL refuses to run as root: run the server as the postgres user when we are root.
as_server_user() {
    if [[ $(id -u) == 0 ]]; then
        chown -R postgres "$DIR"
        su postgres -s /bin/bash -c "$*"
    else
        bash -c "$*"
    fi
}
cleanup() {
    as_server_user "'$PG_CTL' -D '$DIR/data' stop -m immediate" >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
# A server that did not start leaves its log where the user can read it, and on stderr.
keep_log() {
    local kept
    kept=$(mktemp "${TMPDIR:-/tmp}/with_postgres-log.XXXXXX")
    cp "$DIR/server.log" "$kept" 2>/dev/null || true
    echo "with_postgres: PostgreSQL did not start; its log (kept in $kept):" >&2
    cat "$kept" >&2
}
trap cleanup EXIT
as_server_user "'$INITDB' -D '$DIR/data' -A trust -U postgres" >/dev/null
PORT=$FIRST_PORT
for ((attempt = 0; attempt < PORT_ATTEMPTS; attempt++)); do
    if ! port_in_use "$PORT"; then
        : >"$DIR/server.log"
        if as_server_user "'$PG_CTL' -D '$DIR/data' -l '$DIR/server.log' -w start \
            -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off'" >/dev/null 2>&1; then
            break
        fi
        if ! grep -qiE "could not (bind|create listen)|address already in use" "$DIR/server.log"; then
            keep_log
            exit 1
        fi
    fi
    PORT=$((PORT + 1))
done
if ((attempt == PORT_ATTEMPTS)); then
    echo "with_postgres: no free port in $FIRST_PORT-$((FIRST_PORT + PORT_ATTEMPTS - 1))" >&2
    [[ -s "$DIR/server.log" ]] && keep_log
    exit 1
fi
if [[ "$PORT" != "$FIRST_PORT" ]]; then
    echo "with_postgres: port $FIRST_PORT is taken; the throwaway server listens on $PORT" >&2
fi
export CONFLICTLENS_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
"$@"
