#!/usr/bin/env bash
# Serve with the production settings: DEBUG off, static files collected into the manifest,
# migrations applied, `check --deploy` clean, then gunicorn. Called by `make serve`.
# What it needs from the environment is printed when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG=0

missing=0
need() {
    if [ -z "${!1:-}" ]; then
        echo "make serve: set $1 — $2" >&2
        missing=1
    fi
}
need SECRET_KEY "a long random string, e.g. \$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
need ALLOWED_HOSTS "the host names the site answers to, comma-separated, e.g. news.example.org"
if [ "$missing" -ne 0 ]; then
    cat >&2 <<'TXT'
Optional: DATABASE_URL (default SQLite db.sqlite3), CACHE_URL (redis://… when several
gunicorn hosts serve one site), CSRF_TRUSTED_ORIGINS (https://news.example.org),
GUNICORN_BIND, GUNICORN_WORKERS, MEDIA_ROOT. Plain http on this machine only (no TLS proxy in
front): SECURE_SSL_REDIRECT=0. See the README's "Production" section.
TXT
    exit 2
fi
# Every warning of `check --deploy` stops the start, but the one the operator asked for:
# SECURE_SSL_REDIRECT=0 (security.W008) is plain http for trying the settings on this machine.
fail_level=WARNING
if [ "${SECURE_SSL_REDIRECT:-1}" = "0" ]; then
    echo "SECURE_SSL_REDIRECT=0: plain http, for trying the production settings on this machine;" \
        "put a TLS proxy in front (deploy/nginx) before the site is public." >&2
    fail_level=ERROR
fi

$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py migrate --noinput
$PY manage.py check --deploy --fail-level "$fail_level"
echo "serving with production settings on ${GUNICORN_BIND:-127.0.0.1:8000}"
exec .venv/bin/gunicorn -c newsarchive/gunicorn.conf.py newsarchive.wsgi
