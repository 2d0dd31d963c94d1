"""The production path: `make serve`, /healthz, request ids in the log, backups that restore."""

import contextlib
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from bench.load_bench import (
    ROOT,
    free_port,
    get,
    is_postgres,
    manage,
    production_env,
    scratch_database,
)
from newsarchive.observability import OneLineFormatter, RequestIdFilter

SEEDS = ROOT / "fixtures" / "posts"


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_naming_what_failed_and_nothing_more(client, tmp_path):
    # A file cache whose folder is a plain file: every write fails, as a full or read-only
    # disk would make it.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(blocker / "cache"),
        }
    }
    # override_settings resets the cache handler (Django's setting_changed receiver), so the
    # view really talks to the broken cache.
    with override_settings(CACHES=broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert re.fullmatch(r"error: \w+", body["cache"]), body
    assert str(tmp_path) not in response.content.decode()


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_forged_one_is_replaced(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-42"})["X-Request-ID"] == (
        "nginx-42"
    )
    forged = client.get("/healthz", headers={"X-Request-ID": "a\nfailed: x"})["X-Request-ID"]
    assert "\n" not in forged and forged != "a\nfailed: x"


@pytest.mark.django_db
def test_a_request_error_is_one_log_line_with_its_request_id(client):
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(OneLineFormatter("%(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/", headers={"X-Request-ID": "req-7"})
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert lines == ["WARNING django.request [req-7] Not Found: /no-such-page/"]
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    record.request_id = "-"
    folded = OneLineFormatter("%(message)s").format(record)
    assert "\n" not in folded and "ValueError: first | second" in folded


def serve_env(url, tmp_path, **extra):
    env = production_env(url, STATIC_ROOT=str(tmp_path / "static"), **extra)
    env.pop("SECURE_SSL_REDIRECT", None)
    return env


def test_make_serve_refuses_without_its_settings_and_says_which():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    done = subprocess.run(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "set SECRET_KEY" in done.stderr and "set ALLOWED_HOSTS" in done.stderr


def test_deploy_check_catches_static_files_never_collected(tmp_path):
    env = serve_env("sqlite:///" + str(tmp_path / "db.sqlite3"), tmp_path)
    done = manage(env, "check", "--deploy", check=False, capture_output=True, text=True)
    assert done.returncode != 0
    assert "newsarchive.E001" in done.stderr


@pytest.mark.slow
def test_make_serve_runs_the_production_settings_on_plain_local_http(tmp_path):
    with scratch_database(tmp_path, f"newsarchive_serve_{os.getpid()}") as url:
        manage(dict(os.environ, DATABASE_URL=url, DEBUG="1"), "import_articles", str(SEEDS))
        port = free_port()
        env = serve_env(
            url,
            tmp_path,
            SECURE_SSL_REDIRECT="0",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="2",
        )
        log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                try:
                    status, body = get(base + "/healthz", timeout=5)
                    break
                except OSError:
                    assert time.monotonic() < deadline, "make serve did not answer in 120 s"
                    time.sleep(0.5)
            assert status == 200 and json.loads(body)["status"] == "ok"
            status, home = get(base + "/")
            assert status == 200
            stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home)
            assert stylesheet, "the home page does not link the collected, hashed stylesheet"
            assert get(base + stylesheet.group(1).decode())[0] == 200
        finally:
            with contextlib.suppress(ProcessLookupError):  # already gone is what we want
                os.killpg(process.pid, 15)
            process.wait(timeout=30)
            log.close()
        assert "Traceback" not in (tmp_path / "serve.log").read_text()


def table_rows(url):
    """Every row of every table, by table: what a restore must give back."""
    if is_postgres(url):
        import psycopg

        with psycopg.connect(url) as db:
            names = [
                row[0]
                for row in db.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1"
                )
            ]
            return {
                name: sorted(map(repr, db.execute(f'SELECT * FROM "{name}"')))  # noqa: S608
                for name in names
            }
    db = sqlite3.connect(urlsplit(url).path)
    try:
        names = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1")
        ]
        return {
            name: sorted(map(repr, db.execute(f'SELECT * FROM "{name}"')))  # noqa: S608
            for name in names
        }
    finally:
        db.close()


EDIT_WITH_REVISION = """
import reversion
from articles.models import Article
article = Article.objects.order_by("pk").first()
with reversion.create_revision():
    article.title = article.title + "（更正）"
    article.save()
    reversion.set_comment("backup test")
"""


@pytest.mark.slow
def test_backup_restores_every_row_and_file_into_an_empty_archive(tmp_path):
    suffix = os.getpid()
    with scratch_database(tmp_path, f"newsarchive_bk_src_{suffix}") as source:
        env = dict(os.environ, DATABASE_URL=source, DEBUG="1", MEDIA_ROOT=str(tmp_path / "m1"))
        manage(env, "import_articles", str(SEEDS))
        manage(env, "shell", "-c", EDIT_WITH_REVISION)
        picture = tmp_path / "m1" / "images" / "ab" / "abcdef.jpg"
        picture.parent.mkdir(parents=True)
        picture.write_bytes(b"\xff\xd8\xff\xe0 a mirrored picture")
        manage(env, "backup_archive", str(tmp_path / "backup"))
        before = table_rows(source)
        with scratch_database(tmp_path, f"newsarchive_bk_dst_{suffix}") as target:
            empty = target
            if not is_postgres(target):
                # scratch_database migrates; a restore wants a database with nothing in it.
                os.unlink(urlsplit(target).path)
            else:
                import psycopg

                with psycopg.connect(target, autocommit=True) as db:
                    db.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            restore_env = dict(env, DATABASE_URL=empty, MEDIA_ROOT=str(tmp_path / "m2"))
            refused = manage(
                restore_env,
                "restore_archive",
                str(tmp_path / "nowhere"),
                check=False,
                capture_output=True,
                text=True,
            )
            assert refused.returncode != 0 and "not a backup manifest" in refused.stderr
            manage(restore_env, "restore_archive", str(tmp_path / "backup"))
            after = table_rows(empty)
            again = manage(
                restore_env,
                "restore_archive",
                str(tmp_path / "backup"),
                check=False,
                capture_output=True,
                text=True,
            )
    assert before == after
    assert sum(len(rows) for rows in after.values()) > 100
    assert any("backup test" in row for row in after["reversion_revision"])
    restored = tmp_path / "m2" / "images" / "ab" / "abcdef.jpg"
    assert restored.read_bytes() == picture.read_bytes()
    assert again.returncode != 0 and "not empty" in again.stderr
