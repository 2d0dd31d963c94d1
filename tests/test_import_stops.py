"""Faults that stop a whole run: a write lock held past SQLite's busy timeout, the database
file deleted under the importer, the importer itself killed. Each ends with a clear error and
a non-zero exit (and, where the database can still take it, an ImportRun saying why); a
killed importer leaves no process behind.

Real child processes against a scratch database, as in test_faults.
"""

import fcntl
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.load_bench import is_postgres, make_corpus, manage, scratch_database

from .test_faults import connect, dev_env, start_import, summary

pytestmark = pytest.mark.slow

BUSY_SECONDS = 2
# Several commit groups (runner.COMMIT_FILES) beyond the first, so the fault always lands
# while the run still has files to store, however fast the machine is.
FILES = 5000


def sqlite_only(url):
    if is_postgres(url):
        pytest.skip("a SQLite file's busy timeout and inode; PostgreSQL has neither")


def start_logged_import(env, corpus, **kwargs):
    """import_articles -v2 with its output unbuffered: each 'created:' line arrives as soon
    as its group has committed, not when a pipe buffer fills, maybe at the end of the run."""
    return start_import(
        dict(env, PYTHONUNBUFFERED="1"),
        corpus,
        "--jobs",
        "2",
        "-v2",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def answering_ctrl_c():
    """In the child before it runs: SIGINT as a terminal's foreground job has it. A suite run
    as a background job of a non-interactive shell (as CI may run it) inherits SIGINT
    ignored, and Python then never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def write_lock_between_groups(process, path):
    """Take SQLite's write lock while the importer holds none: between two commit groups.

    The importer is inside a write transaction almost all the time, and SQLite's busy
    handler retries only every 100 ms, so a waiting BEGIN IMMEDIATE may not win before the
    run ends. The importer reports a group's outcomes after its commit; with its stdout
    pipe full and unread, it stops there, outside any transaction, until the lock is taken.
    """
    holder = sqlite3.connect(path, timeout=0, isolation_level=None)
    deadline = time.monotonic() + 120
    while True:
        try:
            holder.execute("BEGIN IMMEDIATE")
            return holder
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            assert process.poll() is None, "the import ended before the lock was taken"
            time.sleep(0.001)


def drain(stream):
    """Read a stream to its end in a thread; join it and take `.text`."""
    reader = threading.Thread(target=lambda: setattr(reader, "text", stream.read()))
    reader.start()
    return reader


def first_created(process):
    """Wait until the import has committed its first group (it printed a 'created:' line)."""
    for line in process.stdout:
        if line.startswith("created: "):
            return
    raise AssertionError("the import ended before storing anything")


def finish(process, timeout):
    """The rest of its output, through the same text readers first_created() read from
    (communicate() would decode the remaining bytes on its own, mid-character)."""
    out = process.stdout.read()
    err = process.stderr.read()
    process.wait(timeout=timeout)
    return out, err


def test_a_write_lock_held_past_the_busy_timeout_stops_the_run_and_is_recorded(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", FILES)
    with scratch_database(tmp_path, f"na_lock_{os.getpid()}") as url:
        sqlite_only(url)
        env = dict(dev_env(url), SQLITE_BUSY_SECONDS=str(BUSY_SECONDS))
        process = start_logged_import(env, corpus)
        # A one-page pipe fills within the first groups' reports, wherever the lines fall.
        fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
        first_created(process)
        holder = write_lock_between_groups(process, urlsplit(url).path)
        rest = drain(process.stdout)
        # Longer than the importer waits, shorter than it waits twice: it gives up on its
        # next write, then saves its ImportRun once the holder lets go.
        time.sleep(BUSY_SECONDS + 1.5)
        holder.execute("COMMIT")
        holder.close()
        rest.join(120)
        out = rest.text
        err = process.stderr.read()
        process.wait(timeout=120)
        assert process.returncode == 1, err
        assert "Traceback" not in err
        stored = summary(out)["created"]
        reason = (
            f"stopped after {stored} files: the database is locked for over {BUSY_SECONDS} s "
            "by another process (sqlite: database is locked)"
        )
        assert err.strip().splitlines()[-1] == f"CommandError: import {reason}"
        db = sqlite3.connect(urlsplit(url).path)
        rows = db.execute("SELECT created, failed, aborted FROM articles_importrun").fetchall()
        articles = db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0]
        db.close()
        assert 0 < stored == articles < FILES
        assert rows == [(stored, 0, reason)]


def test_a_database_file_deleted_mid_run_stops_it_with_an_error(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", FILES)
    with scratch_database(tmp_path, f"na_gone_{os.getpid()}") as url:
        sqlite_only(url)
        path = Path(urlsplit(url).path).resolve()
        process = start_logged_import(dev_env(url), corpus)
        first_created(process)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        out, err = finish(process, 300)
        assert process.returncode == 1, err
        assert "Traceback" not in err
        assert err.strip().splitlines()[-1] == (
            f"CommandError: import stopped after {summary(out)['created']} files: the database "
            f"file {path} was deleted or replaced during the run; what this run stored since "
            "then is lost (no import run recorded: the database file is gone)"
        )
        assert summary(out)["created"] < FILES


def session_members(session):
    """Pids of live processes in a session (the importer was started as its leader)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == session:  # state, ppid, pgrp, session
            members.append(int(entry.name))
    return members


def test_a_killed_importer_leaves_no_worker_forkserver_or_tracker_behind(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", FILES)
    with scratch_database(tmp_path, f"na_orphans_{os.getpid()}") as url:
        process = start_logged_import(dev_env(url), corpus)
        first_created(process)
        helpers = [pid for pid in session_members(process.pid) if pid != process.pid]
        assert len(helpers) >= 4  # two workers, the forkserver, the resource tracker
        os.kill(process.pid, 9)  # the importer alone, as the OOM killer would
        process.wait()
        deadline = time.monotonic() + 15
        while session_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session_members(process.pid) == []
        # and the next run finishes what the killed one began
        done = manage(dev_env(url), "import_articles", corpus, capture_output=True, text=True)
        assert summary(done.stdout)["failed"] == 0


def test_an_interrupted_run_says_so_in_its_import_run(tmp_path):
    """Ctrl-C (or any exception) mid-run: its ImportRun says it stopped and after how many
    files, instead of 'finished' as if every file had been looked at."""
    corpus = make_corpus(tmp_path / "corpus", FILES)
    with scratch_database(tmp_path, f"na_interrupted_{os.getpid()}") as url:
        process = start_logged_import(dev_env(url), corpus, preexec_fn=answering_ctrl_c)
        first_created(process)
        os.kill(process.pid, signal.SIGINT)
        _, err = finish(process, 120)
        assert process.returncode != 0, err
        # The articles stored, not the lines printed: Ctrl-C can land while a committed
        # group's outcomes are still being printed.
        db = connect(url)
        rows = db.execute("SELECT created, aborted FROM articles_importrun").fetchall()
        stored = db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0]
        db.close()
        assert 0 < stored < FILES
        assert rows == [(stored, f"stopped after {stored} files: interrupted")]
