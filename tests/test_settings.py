import os
import signal
import subprocess
import sys
import time

import pytest

from bench.load_bench import free_port, get

from .conftest import ROOT


def run_check(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "dev-only-insecure-key-do-not-use-in-production",  # the development default
        "change-me-to-50-random-characters",  # deploy/env.example's placeholder
        "django-insecure-" + "k" * 50,  # what startproject writes
    ],
)
def test_production_refuses_a_key_anyone_can_read(key):
    result = run_check(DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="news.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_make_run_says_it_serves_development_mode_and_production_refuses_it(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        DJANGO_SUPERUSER_USERNAME="admin",
        DJANGO_SUPERUSER_PASSWORD="pw-admin-run-123",
    )
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 180
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    status, _ = get(f"http://127.0.0.1:{port}/")
                    break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.5)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert status == 200
    assert "development mode, not for the internet" in log.read_text()
    # The same script with DEBUG off and no key of its own stops before serving anything.
    env["DEBUG"] = "0"
    refused = subprocess.run(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    assert "development mode" not in refused.stderr


def test_production_starts_with_secret_key():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="news.example.com")
    assert result.returncode == 0, result.stderr


def shell_output(probe, tmp_path):
    """What `probe` prints in `manage.py shell` on a SQLite file database of its own."""
    environment = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'probe.db'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_sqlite_file_database_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    probe = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    assert shell_output(probe, tmp_path).split() == ["wal", "20000", "IMMEDIATE"]


@pytest.mark.skipif(
    (sys.platform, os.uname().machine) != ("linux", "x86_64"), reason="pysqlite3-binary's wheels"
)
def test_sqlite_is_the_bundled_library_not_the_systems(tmp_path):
    """Debian's SQLite 3.40.1 loses FTS5 matches read newest first (see
    newsarchive/sqlite_library.py): the site started by manage.py, and everything importing
    sqlite3 after the settings, run on the library pysqlite3-binary bundles, and the check
    that would warn stays quiet."""
    probe = (
        "import sqlite3; from django.db import connection; "
        "from django.core.checks import run_checks; "
        "print(connection.Database.sqlite_version, sqlite3.sqlite_version); "
        "connection.cursor().execute('SELECT 1'); "
        "print(connection.connection.__class__.__module__); "
        "print([m.id for m in run_checks() if m.id == 'newsarchive.W002'])"
    )
    versions, module, warnings = shell_output(probe, tmp_path).splitlines()
    from newsarchive.sqlite_library import VERIFIED

    library, imported = (tuple(map(int, v.split("."))) for v in versions.split())
    assert library >= VERIFIED and imported == library
    assert module.startswith("pysqlite3")
    assert warnings == "[]"
