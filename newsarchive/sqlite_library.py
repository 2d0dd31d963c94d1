"""The SQLite library the site runs on: the one pysqlite3-binary bundles, where it is installed,
rather than the system's.

Debian 12's SQLite 3.40.1 has an FTS5 bug: a scan in descending rowid order, which is how the
search reads its newest-first pages (articles/search/index.py), skips matches once a term's
list of matches is long. At 100,000 articles a phrase read newest first gave 1,135 of its
98,678 matches (ascending gave all of them); the same file read by SQLite 3.51.1 gave all. The
settings import this module before Django imports its SQLite backend, so `sqlite3` is then
pysqlite3 for Django and for everything imported after it; without the package (a platform
with no wheel) the system's library stays, and `manage.py check` warns (articles.checks).
"""

import sys

try:
    import pysqlite3
except ImportError:  # no wheel for this platform: the system's library, and a warning
    pysqlite3 = None
else:
    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = pysqlite3.dbapi2

# The oldest library known to answer newest-first scans correctly (the bug is in 3.40.1).
VERIFIED = (3, 51, 1)
