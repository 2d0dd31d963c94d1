"""Parsing processes end when the importer that started them dies.

A killed importer (kill -9, the OOM killer) left its forkserver, its resource tracker and
its workers running, about 100 MB each time: each worker waits on a queue it holds both
ends of, and keeps open the pipes that tell the forkserver and the resource tracker that
someone still needs them. A worker's parent is the forkserver, not the importer, so the
kernel's PR_SET_PDEATHSIG (signal me when my parent dies) would not fire; instead each
worker watches the importer itself, through a pidfd (Linux 5.3) that becomes readable the
moment that process is gone, or by polling where there is none. Once the workers are gone
the forkserver and the resource tracker see their pipes close and exit on their own.
"""

import os
import select
import threading
import time

POLL_SECONDS = 1.0


def exit_with(pid):
    """Start a daemon thread that ends this process as soon as process `pid` has died."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)  # it died before we could watch it
    except (AttributeError, OSError):  # no pidfd here (old kernel, not Linux)
        handle = None
    threading.Thread(target=watch, args=(pid, handle), daemon=True, name="orphan-watch").start()


def watch(pid, handle):
    if handle is not None:
        select.select([handle], [], [])
        os._exit(1)  # no cleanup to do: the importer that wanted our results is gone
    while True:
        time.sleep(POLL_SECONDS)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # alive, someone else's now only if the pid was reused
            pass
