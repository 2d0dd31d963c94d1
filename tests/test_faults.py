"""Faults: an import killed at random moments, two imports at once, serving while importing.

Everything runs in real child processes (manage.py, gunicorn) against a scratch database of
the backend under test (SQLite file, or a new database on DATABASE_URL's PostgreSQL server),
so nothing here goes through pytest-django's test database or its transactions.
"""

import os
import random
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from itertools import cycle
from urllib.parse import urlsplit

import pytest

from bench.load_bench import (
    PY,
    ROOT,
    Server,
    get,
    is_postgres,
    make_corpus,
    manage,
    mixed_paths,
    pick_paths,
    production_env,
    scratch_database,
)

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "tests" / "artifacts"


def read_manifest(corpus):
    """{relative path: (category levels, image count)} from make_corpus.py's MANIFEST.tsv."""
    rows = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {
        path: (len(category.split("/")), int(images))
        for path, _, _, category, _, images, _ in (row.split("\t") for row in rows)
    }


def connect(url):
    if is_postgres(url):
        import psycopg

        return psycopg.connect(url, autocommit=True)
    return sqlite3.connect(urlsplit(url).path)


CHECKS = {
    "articles without raw text": "SELECT COUNT(*) FROM articles_article a WHERE NOT EXISTS "
    "(SELECT 1 FROM articles_rawsource r WHERE r.article_id = a.id)",
    "duplicate source paths": "SELECT COUNT(*) - COUNT(DISTINCT source_path) FROM articles_article",
    "duplicate raw texts": "SELECT COUNT(*) - COUNT(DISTINCT article_id) FROM articles_rawsource",
}
SQLITE_CHECKS = {
    # The entry's rowid is the article's key (articles/search/index.py), its low bits the id.
    "articles without a search entry": "SELECT COUNT(*) FROM articles_article a WHERE NOT "
    "EXISTS (SELECT 1 FROM articles_search_key k JOIN articles_search s ON s.rowid = k.key "
    "WHERE k.article_id = a.id)",
    "search entries without an article": "SELECT COUNT(*) FROM articles_search s WHERE NOT "
    "EXISTS (SELECT 1 FROM articles_article a WHERE a.id = s.rowid & 1073741823)",
    "search keys without an entry": "SELECT COUNT(*) FROM articles_search_key k WHERE NOT "
    "EXISTS (SELECT 1 FROM articles_search s WHERE s.rowid = k.key)",
    "sqlite integrity_check": "SELECT COUNT(*) FROM pragma_integrity_check "
    "WHERE integrity_check != 'ok'",
    "sqlite foreign_key_check": "SELECT COUNT(*) FROM pragma_foreign_key_check",
}
POSTGRES_CHECKS = {
    "articles without a search entry": "SELECT COUNT(*) FROM articles_article "
    "WHERE search_document IS NULL",
}
PER_ARTICLE = (
    "SELECT a.source_path, "
    "(SELECT COUNT(*) FROM articles_article_categories c WHERE c.article_id = a.id), "
    "(SELECT COUNT(*) FROM articles_articleimage i WHERE i.article_id = a.id) "
    "FROM articles_article a"
)


def postgres_index_problems(db):
    """amcheck over every B-tree index of our tables: the index agrees with its heap."""
    db.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
    indexes = db.execute(
        "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'btree' "
        "AND c.relnamespace = 'public'::regnamespace"
    ).fetchall()
    broken = 0
    for (index,) in indexes:
        try:
            db.execute("SELECT bt_index_check(%s::regclass, true)", [index])
        except Exception:  # amcheck raises on the first inconsistency it finds
            broken += 1
    return broken


def integrity_problems(url, manifest):
    """{what is wrong: how many}, empty when the database holds only whole articles.

    Whole means: its raw text, its search entry, every level of its category chain and as
    many images as the manifest says the file has; no path twice; the database file or the
    indexes consistent.
    """
    postgres = is_postgres(url)
    db = connect(url)
    try:
        checks = CHECKS | (POSTGRES_CHECKS if postgres else SQLITE_CHECKS)
        found = {name: db.execute(sql).fetchone()[0] for name, sql in checks.items()}
        rows = db.execute(PER_ARTICLE).fetchall()
        found["articles not in the manifest"] = sum(path not in manifest for path, _, _ in rows)
        found["articles missing category levels"] = sum(
            path in manifest and categories != manifest[path][0] for path, categories, _ in rows
        )
        found["articles with the wrong image count"] = sum(
            path in manifest and images != manifest[path][1] for path, _, images in rows
        )
        if postgres:
            found["postgres indexes failing amcheck"] = postgres_index_problems(db)
    finally:
        db.close()
    return {name: n for name, n in found.items() if n}, len(rows)


EMPTY_ARCHIVE = "from articles.models import Article; Article.objects.all().delete()"


def dev_env(url):
    return dict(os.environ, DATABASE_URL=url, DEBUG="1")


def start_import(env, *args, **kwargs):
    """import_articles in its own process group, so killpg also takes its workers."""
    return subprocess.Popen(
        [PY, "manage.py", "import_articles", *map(str, args)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        **kwargs,
    )


def kill(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


SUMMARY = re.compile(
    r"(\d+) files: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) kept, (\d+) failed"
)


def summary(stdout):
    """{action: count} from the command's last line."""
    numbers = map(int, SUMMARY.search(stdout.strip().splitlines()[-1]).groups())
    names = ("files", "created", "updated", "unchanged", "kept", "failed")
    return dict(zip(names, numbers, strict=True))


def test_sigkill_at_20_random_moments_never_leaves_half_an_article(tmp_path):
    # Several commits' worth (one per 1,000 files): a kill between the first and the last
    # leaves a part stored, even on a machine that imports 1,000 files a second.
    corpus = make_corpus(tmp_path / "corpus", 5000, seed=5)
    manifest = read_manifest(corpus)
    rng = random.Random(2026)
    timeline = []
    started = time.monotonic()
    with scratch_database(tmp_path, f"newsarchive_kill_{os.getpid()}") as url:
        env = dev_env(url)
        # Kill moments spread over successive runs on the same database: each run skips what
        # the last one stored and gets further, so later kills strike later in the corpus.
        for n in range(20):
            moment = rng.uniform(1.0, 9.0)
            process = start_import(env, corpus, "--jobs", "2", "-v0")
            try:
                process.wait(timeout=moment)
            except subprocess.TimeoutExpired:
                kill(process)
            else:
                # It finished first: then it must have succeeded, not refused on a stale lock.
                assert process.returncode == 0, f"run {n} exited {process.returncode}"
            problems, stored = integrity_problems(url, manifest)
            timeline.append((n, moment, process.returncode, stored))
            assert problems == {}, f"after kill {n} at {moment:.1f}s ({stored} stored): {problems}"
            if stored == len(manifest) and n < 19:
                # All stored: start over, so the remaining kills still strike mid-import on a
                # fast machine (deleting through the ORM drops the index entries too).
                subprocess.run(
                    [PY, "manage.py", "shell", "-c", EMPTY_ARCHIVE],
                    cwd=ROOT,
                    env=env,
                    check=True,
                )

        result = start_import(env, corpus, "--jobs", "2", "-v1", stdout=subprocess.PIPE, text=True)
        out, _ = result.communicate()
        assert result.returncode == 0
        counts = summary(out)
        problems, stored = integrity_problems(url, manifest)
    # A killed batch is rolled back whole: the re-run creates what was lost, updates nothing.
    assert counts["created"] + counts["unchanged"] == len(manifest) == 5000
    assert counts["updated"] == counts["kept"] == counts["failed"] == 0
    assert problems == {}
    assert stored == len(manifest)
    partial = [stored for _, _, code, stored in timeline if code == -signal.SIGKILL]
    assert sum(0 < n < len(manifest) for n in partial) >= 3, timeline  # kills hit mid-import

    ARTIFACTS.mkdir(exist_ok=True)
    lines = ["| kill | after s | exit | articles stored |", "|---:|---:|---:|---:|"]
    lines += [f"| {n} | {moment:.1f} | {code} | {stored} |" for n, moment, code, stored in timeline]
    lines.append(f"\nre-run: {counts}; whole test {time.monotonic() - started:.0f} s")
    (ARTIFACTS / f"kills-{'postgres' if is_postgres(url) else 'sqlite'}.md").write_text(
        "\n".join(lines) + "\n"
    )


def test_second_import_refuses_a_waiting_one_follows_and_a_killed_holder_frees_the_lock(
    tmp_path,
):
    corpus = make_corpus(tmp_path / "corpus", 600, seed=9)
    manifest = read_manifest(corpus)
    with scratch_database(tmp_path, f"newsarchive_lock_{os.getpid()}") as url:
        env = dev_env(url)
        first = start_import(env, corpus, "-v2", stdout=subprocess.PIPE, text=True)
        assert first.stdout.readline().startswith("created: ")  # storing: it holds the lock
        # Frozen while holding it, so the others meet the lock however slow this machine is.
        os.kill(first.pid, signal.SIGSTOP)
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        second = start_import(env, corpus, "-v1", **pipes)
        waiter = start_import(env, corpus, "-v1", "--wait", **pipes)
        reprocess = subprocess.Popen(
            [PY, "manage.py", "reprocess_articles"], cwd=ROOT, env=env, **pipes
        )
        refused = {"import": second.communicate(timeout=60), "reprocess": None}
        refused["reprocess"] = reprocess.communicate(timeout=60)
        assert first.poll() is None
        holder = f"another import is running (pid {first.pid}) since "
        for name, process in (("import", second), ("reprocess", reprocess)):
            _, err = refused[name]
            assert process.returncode == 1, err
            assert holder in err and "(import_articles)" in err and "--wait" in err, err

        time.sleep(1)  # let the waiter reach its lock call
        kill(first)  # SIGKILL (of the stopped holder): the lock must die with it
        out, err = waiter.communicate(timeout=120)
        assert waiter.returncode == 0, err
        assert f"waiting: {holder}" in err
        counts = summary(out)
        problems, stored = integrity_problems(url, manifest)
    assert counts["created"] + counts["unchanged"] == 600 and counts["failed"] == 0
    assert counts["unchanged"] > 0  # the first run's batches stayed
    assert problems == {}
    assert stored == 600


def test_site_keeps_serving_while_an_import_writes(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 300, seed=4)
    # Enough files that the import lasts a few seconds of requests even on a fast machine.
    fresh = make_corpus(tmp_path / "fresh-root" / "fresh", 1200, seed=12).parent
    with scratch_database(tmp_path, f"newsarchive_serve_{os.getpid()}") as url:
        # No whole-page cache: every request reads the database the importer is writing.
        env = production_env(url, NEWSARCHIVE_PAGE_CACHE_SECONDS="0")
        manage(env, "import_articles", corpus, "--jobs", "2", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        paths = mixed_paths(pick_paths(env), size=400)
        random.Random(5).shuffle(paths)
        with Server(env, tmp_path / "gunicorn.log") as server:
            importer = start_import(
                env, fresh, "--jobs", "2", "-v1", stdout=subprocess.PIPE, text=True
            )
            statuses, failures, lock = Counter(), [], threading.Lock()
            urls = cycle(paths)

            def reader():
                while importer.poll() is None:
                    with lock:
                        path = next(urls)
                    try:
                        status, _ = get(server.base + path)
                    except OSError as error:  # refused, reset, timed out
                        status = f"{type(error).__name__}: {error}"
                    with lock:
                        statuses[status] += 1
                        if status not in (200, 301, 302, 304):
                            failures.append((path, status))

            readers = [threading.Thread(target=reader) for _ in range(6)]
            for thread in readers:
                thread.start()
            out, _ = importer.communicate(timeout=600)
            for thread in readers:
                thread.join()
            log = server.log_tail()
    assert importer.returncode == 0
    assert summary(out)["created"] == 1200
    assert failures == [], f"{statuses}\n{log}"
    assert sum(statuses.values()) >= 50, statuses  # the readers really overlapped the import
