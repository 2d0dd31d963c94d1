"""What one file may make. Django-free: the runner reads the NEWSARCHIVE_MAX_* settings into
a Limits and installs it in every process that parses (see use()); the parser reads current().

One crawled file with 2,100 category hierarchies made 2,100 root categories that every page
lists, and twelve YAML aliases expanded 0.9 MB into 153 MB of stored data: a file past a
limit fails alone, with the limit named, before anything of it is stored.
"""

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 5 * 1024 * 1024  # a crawled article is ~20 KB
    categories: int = 50  # hierarchies in one file; the crawler writes one
    category_depth: int = 10
    tags: int = 200
    images: int = 500  # image rows kept for one article (its body keeps every <img>)
    extra_keys: int = 100  # front-matter keys with no meaning of their own
    extra_chars: int = 100_000  # those keys' values, as stored JSON
    # Characters plus nodes of the front matter once every alias is expanded: what the
    # parser builds in memory and what Article.extra would hold.
    front_matter_size: int = 1_000_000

    @classmethod
    def from_settings(cls, settings):
        """NEWSARCHIVE_MAX_FILE_BYTES, NEWSARCHIVE_MAX_CATEGORIES, ... where they are set."""
        return cls(
            **{
                f.name: int(getattr(settings, f"NEWSARCHIVE_MAX_{f.name.upper()}", f.default))
                for f in fields(cls)
            }
        )


_current = Limits()


def use(limits):
    """Install the limits for this process (the runner, and each worker as it starts)."""
    global _current
    _current = limits


def current():
    return _current


def default_jobs():
    """Parsing processes by default: the cores this process may run on, a container's or
    `taskset`'s share rather than the machine's count (os.process_cpu_count() from 3.13)."""
    counted = getattr(os, "process_cpu_count", None)
    if counted:
        return counted() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS has no affinity masks
        return os.cpu_count() or 1
