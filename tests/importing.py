"""Helpers for import tests: write post files, run the command and read back what it said."""

import subprocess
import sys
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import SHARED

POST = """
---
title: '{title}'
categories:
 - 金融
 - 新浪财经
 - {leaf}
author: 新浪财经
comments: false
date: {date}
---

<div>
<p>\u3000\u3000原标题：{title}原题</p>
<p>\u3000\u3000来源：吉林日报</p>
<div class="img_wrapper"><img id="1" src="https://n.sinaimg.cn/{title}.jpg" alt></div>
<p>\u3000\u3000{body}</p>
<p class="article-editor">责任编辑：王蒙 </p>
</div>
"""


def post(title="测试", leaf="国内", date="Thu, 07 Apr 2022 13:21:43 GMT", body="正文第一段。"):
    return POST.format(title=title, leaf=leaf, date=date, body=body)


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_import(*args, verbosity=2):
    """Run import_articles; returns (stdout, stderr, failed?)."""
    out, err = StringIO(), StringIO()
    failed = False
    try:
        call_command(
            "import_articles", *map(str, args), verbosity=verbosity, stdout=out, stderr=err
        )
    except CommandError as error:
        failed = True
        err.write(str(error))
    return out.getvalue(), err.getvalue(), failed


def make_corpus(folder, count, seed=7):
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "make_corpus.py"),
            str(folder),
            "--count",
            str(count),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
    )
    return folder
