"""One writing import at a time per database.

Two imports over the same files would both decide "created" for a new file and race to insert
it; one of them then fails its whole batch on the unique source_path and retries file by file,
and every counter in the two summaries is wrong. So `import_articles` and `reprocess_articles`
take this lock first and a second run refuses (or, with --wait, queues) with a message naming
the run that holds it.

The lock belongs to the operating system or the database server, never to a row or a file's
existence, so a run killed with SIGKILL leaves no stale lock behind:
  - PostgreSQL: a session advisory lock on a connection of its own (not Django's, which a
    failed transaction or CONN_MAX_AGE may close and reopen); the server drops it when the
    connection dies. Its application_name names the holder for the message.
  - SQLite: flock() on a file next to the database file; the kernel drops it when the last
    descriptor closes, which is process exit. The file's text names the holder.
"""

import fcntl
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.db import connections

# pg_try_advisory_lock(int, int): our own namespace, so other users of advisory locks on the
# same database cannot collide with us by accident.
PG_LOCK_SPACE = 0x6E657773  # "news"
PG_LOCK_ID = 1
PG_APP_PREFIX = "newsarchive import lock"


class ImportLocked(Exception):
    """Another import holds the lock; str() is the message for the operator."""

    def __init__(self, pid="unknown", since=None, command="import"):
        self.pid, self.since, self.command = pid, since, command
        when = f" since {since:%Y-%m-%d %H:%M:%S %Z}" if since else ""
        super().__init__(f"another import is running (pid {pid}){when} ({command})")


@contextmanager
def import_lock(command, *, wait=False, notify=None, using="default"):
    """Hold the import lock of database `using` for the block.

    Raises ImportLocked at once if another process holds it, or with `wait` calls
    notify(message) and blocks until it is free.
    """
    wrapper = connections[using]
    if wrapper.vendor == "postgresql":
        lock = _postgres_lock
    elif wrapper.vendor == "sqlite" and not wrapper.is_in_memory_db():
        lock = _sqlite_lock
    else:
        # An in-memory SQLite database is private to this process: no one else can write it.
        lock = _no_lock
    with lock(wrapper, command, wait, notify or (lambda message: None)):
        yield


@contextmanager
def _no_lock(wrapper, command, wait, notify):
    yield


@contextmanager
def _sqlite_lock(wrapper, command, wait, notify):
    database = Path(wrapper.settings_dict["NAME"])
    path = database.with_name(database.name + ".import-lock")
    # O_CREAT without O_TRUNC: the holder's text must survive a loser opening the file.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            if not wait:
                raise holder from None
            notify(f"waiting: {holder}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        since = datetime.now(UTC)
        os.pwrite(fd, f"{os.getpid()}\t{since.isoformat()}\t{command}\n".encode(), 0)
        yield
    finally:
        # Closing the descriptor releases the lock; the file stays (deleting it would let a
        # third process lock a new inode while a second still waits on the old one).
        os.close(fd)


def _read_holder(fd):
    text = os.pread(fd, 4096, 0).decode(errors="replace").strip()
    try:
        pid, since, command = text.split("\t")
        return ImportLocked(pid, datetime.fromisoformat(since), command)
    except ValueError:  # the holder is between taking the lock and writing its name
        return ImportLocked()


@contextmanager
def _postgres_lock(wrapper, command, wait, notify):
    own = connections.create_connection(wrapper.alias)
    try:
        with own.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('application_name', %s, false)",
                [f"{PG_APP_PREFIX} pid={os.getpid()} {command}"],
            )
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s::int, %s::int)", [PG_LOCK_SPACE, PG_LOCK_ID]
            )
            if not cursor.fetchone()[0]:
                holder = _pg_holder(cursor)
                if not wait:
                    raise holder
                notify(f"waiting: {holder}")
                cursor.execute(
                    "SELECT pg_advisory_lock(%s::int, %s::int)", [PG_LOCK_SPACE, PG_LOCK_ID]
                )
        yield
    finally:
        # Closing the session releases its advisory locks; no explicit unlock needed.
        own.close()


def _pg_holder(cursor):
    cursor.execute(
        "SELECT a.application_name, a.backend_start FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
        "AND l.classid::bigint = %s AND l.objid::bigint = %s AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())",
        [PG_LOCK_SPACE, PG_LOCK_ID],
    )
    row = cursor.fetchone()
    if row is None:  # released between our try and this look
        return ImportLocked()
    name, since = row
    _, _, rest = name.partition(" pid=")
    pid, _, command = rest.partition(" ")
    return ImportLocked(pid or "unknown", since.astimezone(UTC), command or "import")
