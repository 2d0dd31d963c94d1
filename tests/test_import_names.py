"""File names the database cannot store, or that would break a report line."""

import os

import pytest

from articles.models import Article, ImportRun

from .importing import post, run_import, write

pytestmark = pytest.mark.django_db

GBK_NAME = b"\xb9\xfa\xbc\xd2.md"  # 国家.md in GBK, as an archive unpacked on Linux names it


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_name_that_is_not_utf8_fails_alone_and_the_run_goes_on(tmp_path, jobs):
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, GBK_NAME), "w", encoding="utf-8") as handle:
        handle.write(post(title="国家"))
    write(tmp_path, "z-after.md", post(title="之后的文章"))
    out, err, failed = run_import(tmp_path, "--jobs", jobs)
    assert failed
    assert err.splitlines()[0] == (
        r"failed: \xb9\xfa\xbc\xd2.md: file name is not valid UTF-8 and cannot be stored; "
        "rename the file; as GBK it reads '国家.md'"
    )
    assert "created: z-after.md" in out.splitlines()
    assert list(Article.objects.values_list("title", flat=True)) == ["之后的文章"]
    run = ImportRun.objects.get()
    assert (run.created, run.failed, run.finished_at is not None) == (1, 1, True)
    assert run.errors == [err.splitlines()[0].removeprefix("failed: ")]
    # and again: the same one failure, nothing after it lost
    _, err, failed = run_import(tmp_path)
    assert failed and err.count("failed: ") == 1


def test_a_name_with_a_newline_cannot_forge_a_report_line(tmp_path):
    write(tmp_path, "new\nfailed: forged.md", "---\ntitle: [\n---\n")
    write(tmp_path, "ok\nline.md", post(title="换行文件名"))
    out, err, failed = run_import(tmp_path)
    assert failed
    failures = [line for line in err.splitlines() if line.startswith("failed: ")]
    assert failures == [
        r"failed: new\nfailed: forged.md:3: front matter is not valid YAML: "
        "did not find expected node content"
    ]
    assert r"created: ok\nline.md" in out.splitlines()
    assert Article.objects.get().source_path == "ok\nline.md"  # stored as it is named
