"""import_articles on a terminal: a progress bar with a total, a rate and the time left;
--jobs follows the cores the command may run on."""

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

import pytest

from .conftest import ROOT
from .importing import make_corpus


def read_all(fd):
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_progress_bar_shows_the_total_a_rate_and_the_time_left(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 300)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", DEBUG="1")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    leader, follower = pty.openpty()
    # 40 lines of 120 columns: tqdm fits its bar to the terminal, and a new one is 0 wide.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_articles", str(corpus), "--jobs", "1"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    output = read_all(leader)
    os.close(leader)
    assert process.wait(timeout=120) == 0, output
    # tqdm: '100%|██████████| 300/300 [00:01<00:00, 212.34 files/s]'
    bars = re.findall(
        r"(\d+)%\|[^|]*\| (\d+)/(\d+) \[[\d:]+<([\d:]+|\?), *([\d.?]+) files/s\]", output
    )
    # The total is known before the first file is stored (outcomes are shown as each
    # transaction commits, so 300 files may well arrive at once), and the end has a rate.
    assert bars[0][1:3] == ("0", "300"), output
    share, done, total, left, rate = bars[-1]
    assert (share, done, total, left) == ("100", "300", "300", "00:00"), output
    assert float(rate) > 0, output
    assert "300 files: 300 created" in output


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this OS")
def test_jobs_default_to_the_cores_the_command_may_use():
    """Under `taskset -c 0` (or a container's CPU share) one parser, not the machine's count."""
    show = (
        "import django; django.setup();"
        "from django.core.management import load_command_class as load;"
        "command = load('articles', 'import_articles');"
        "parser = command.create_parser('manage.py', 'import_articles');"
        "print(parser.parse_args(['x']).jobs)"
    )
    env = dict(os.environ, DEBUG="1", DJANGO_SETTINGS_MODULE="newsarchive.settings")
    everything = subprocess.run(
        [sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert int(everything.stdout) == len(os.sched_getaffinity(0))
    first_core = min(os.sched_getaffinity(0))
    one_core = subprocess.run(
        [sys.executable, "-c", f"import os; os.sched_setaffinity(0, {{{first_core}}}); {show}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(one_core.stdout) == 1
