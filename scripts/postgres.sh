#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 for the test suite and print its DATABASE_URL.
# Installs Debian's postgresql if missing. Usage: eval "$(bash scripts/postgres.sh)"
set -euo pipefail
PGPORT=${PGPORT:-54329}
PGDATA=${PGDATA:-/tmp/newsarchive-pg}
PGPASS=${PGPASS:-newsarchive}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi
BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
as_pg() { runuser -u postgres -- "$@"; }

if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    pwfile=$(mktemp)
    echo "$PGPASS" >"$pwfile"
    chmod 644 "$pwfile"
    as_pg "$BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
    rm -f "$pwfile"
fi
if ! as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k /tmp -c fsync=off" start >&2
fi
as_pg "$BIN/psql" -h /tmp -p "$PGPORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='newsarchive'" | grep -q 1 ||
    as_pg "$BIN/createdb" -h /tmp -p "$PGPORT" -U postgres newsarchive >&2
echo "export DATABASE_URL=postgres://postgres:$PGPASS@127.0.0.1:$PGPORT/newsarchive"
