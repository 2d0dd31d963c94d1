"""What stops a whole run, not one file: the database refusing to write or going away."""

import os
from dataclasses import dataclass

from django.db import connection


class ImportAborted(Exception):
    """The run cannot go on: the database refused to write or went away. `result` is what
    the run did until then."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


def database_problem(error):
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "locked" in text or "busy" in text:
        timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout")
        held = f" for over {timeout} s" if timeout else ""
        return f"the database is locked{held} by another process (sqlite: {text})"
    return f"the database refused to write: {text}"


@dataclass
class DatabaseFile:
    """A SQLite database's file, by inode. SQLite keeps writing to a file deleted under it,
    so a run whose database was deleted (or replaced) reported every file stored, into a
    file nobody can open again."""

    path: str
    inode: int

    @classmethod
    def of(cls, conn):
        name = str(conn.settings_dict.get("NAME") or "")
        if conn.vendor != "sqlite" or not os.path.isfile(name):
            return None
        return cls(name, os.stat(name).st_ino)

    def gone(self):
        try:
            return os.stat(self.path).st_ino != self.inode
        except FileNotFoundError:
            return True

    def check(self):
        if self.gone():
            raise ImportAborted(
                f"the database file {self.path} was deleted or replaced during the run; "
                "what this run stored since then is lost"
            )
