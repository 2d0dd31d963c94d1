#!/usr/bin/env bash
# Start a throwaway Redis bound to 127.0.0.1 for a shared page cache and print its CACHE_URL.
# Installs Debian's redis-server if missing. Usage: eval "$(bash scripts/redis.sh [PORT])"
# (no PORT: a free one). REDIS_DIR holds its pid file and log; the server keeps no data on
# disk: it only ever holds cached pages and counts.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-${REDIS_PORT:-}}
if [ -z "$PORT" ]; then
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
DIR=${REDIS_DIR:-/tmp/newsarchive-redis-$PORT}

if ! command -v redis-server >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq redis-server >&2
fi
mkdir -p "$DIR"
if ! redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$PORT" --protected-mode yes --daemonize yes \
        --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" \
        --save "" --appendonly no --maxmemory 256mb --maxmemory-policy allkeys-lru >&2
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null || {
        echo "redis-server did not answer on 127.0.0.1:$PORT; see $DIR/redis.log" >&2
        exit 1
    }
fi
echo "export CACHE_URL=redis://127.0.0.1:$PORT/0"
