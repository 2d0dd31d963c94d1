#!/usr/bin/env bash
# Set up and serve the site: migrate, import the sample posts, make sure an admin can log in,
# then run gunicorn on http://127.0.0.1:8000/. Called by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py import_articles fixtures/posts
$PY manage.py ensure_admin
# DEBUG is on unless the environment turns it off (read as newsarchive/settings.py reads it):
# say so every time, where the operator looks, since this is what `make run` serves.
case "$(echo "${DEBUG-1}" | tr '[:upper:]' '[:lower:]' | xargs)" in
    1 | true | yes | on)
        echo "make run: development mode, not for the internet: DEBUG is on (visitors see" \
            "tracebacks) and without SECRET_KEY the key is the public development one." \
            "For a public site use \`make serve\` (README, Production)." >&2
        ;;
esac
exec .venv/bin/gunicorn -c newsarchive/gunicorn.conf.py newsarchive.wsgi
