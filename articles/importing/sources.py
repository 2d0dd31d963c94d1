"""Which files of a run are posts of their own: one article per real file. No Django here.

A symbolic link in the import root to a file outside it was followed and its text stored
(a link to /etc/passwd, or to another site's drafts). Links inside the root, overlapping
roots ('import_articles root root/sub') and byte-identical copies made the same post two
articles. Here a link out of a directory root is refused; a link to a file inside the root
is skipped, that file being imported under its own name; a file reached twice in one run
(overlapping roots) is imported once, under the name it was first reached by; a file whose
bytes are those of another file of the run is reported as that file's duplicate.

A file named directly on the command line is the operator's choice and is followed.
"""

import os
import stat

from ..strings import printable

SKIPPED = "skipped"


def stat_of(path):
    """((size, mtime_ns) of a regular file or None, whether the name is a symbolic link).

    lstat() first: for the usual plain file it is the only system call."""
    try:
        status = os.lstat(path)
        link = stat.S_ISLNK(status.st_mode)
        if link:
            status = os.stat(path)
    except OSError:
        return None, os.path.islink(path)
    regular = stat.S_ISREG(status.st_mode)
    return ((status.st_size, status.st_mtime_ns) if regular else None), link


class Sources:
    """What one run has seen: real paths, content hashes, identities per directory root."""

    def __init__(self, paths):
        self.directory_roots = {
            os.fspath(p): os.path.realpath(p) for p in paths if os.path.isdir(p)
        }
        self.real_roots = {}
        self.first_reached = {}  # real path -> identity it was imported under
        # One directory root cannot reach a file twice but through a link (skipped above):
        # the daily run need not keep a real path per file (23 MB at 100,000 files).
        self.may_overlap = len(paths) > 1
        self.hashes = {}  # content hash -> identity, for the files parsed in this run
        self.seen = {real: set() for real in self.directory_roots.values()}

    def real_root(self, root):
        if root not in self.real_roots:
            self.real_roots[root] = os.path.realpath(root or os.curdir)
        return self.real_roots[root]

    def refusal(self, root, rel_path, path, file_stat, link):
        """None when the file is a post of its own, else (action, reason): 'failed' for a
        link out of its root, 'skipped' for a file already imported under another name."""
        real_root = self.real_root(root)
        if root in self.directory_roots:
            self.seen[real_root].add(rel_path)
        if link and root in self.directory_roots:
            target = os.path.realpath(path)
            if not target.startswith(os.path.join(real_root, "")):
                return "failed", (
                    f"symbolic link to {printable(target)}, outside the import root; "
                    "not followed"
                )
            if file_stat is not None:
                inside = printable(os.path.relpath(target, real_root))
                return SKIPPED, f"symbolic link to {inside}, imported under its own name"
            return None  # dangling or looping: reading it says why
        if not (link or self.may_overlap):
            return None
        real = os.path.realpath(path) if link else os.path.join(real_root, rel_path)
        first = self.first_reached.setdefault(real, rel_path)
        if first != rel_path:
            return SKIPPED, f"the same file as {printable(first)} (overlapping import roots)"
        return None

    def duplicate_of(self, rel_path, digest):
        """The identity of an earlier file of this run with the same bytes, if any."""
        first = self.hashes.setdefault(digest, rel_path)
        return first if first != rel_path else None

    def root_of(self, root):
        """The real path of a directory root (stored with its articles), else ''."""
        return self.directory_roots.get(root, "")
