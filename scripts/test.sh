#!/usr/bin/env bash
# Run the whole suite: lint, migrations up to date, then pytest (browser tests included).
# Called by `make test`; DATABASE_URL picks the database (SQLite when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

bash scripts/install_chromium.sh
.venv/bin/ruff check .
$PY manage.py makemigrations --check --dry-run
set +e
$PY -m pytest "$@"
status=$?
set -e
# pytest's 5 means no test ran: that is a failure here, not a pass.
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests" >&2
    exit 1
fi
exit "$status"
