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
exec .venv/bin/gunicorn -c newsarchive/gunicorn.conf.py newsarchive.wsgi
