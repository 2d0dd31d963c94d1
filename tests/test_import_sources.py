"""One article per real file: links out of the root are refused, links inside it, overlapping
roots and byte-identical copies make no second article; files gone since the last run are
reported, and unpublished (never deleted) with --prune."""

import os

import pytest

from articles.models import Article, ImportRun

from .importing import post, run_import, write

pytestmark = pytest.mark.django_db


def test_links_overlapping_roots_and_copies_make_one_article_per_file(tmp_path):
    outside = write(tmp_path / "elsewhere", "secret.md", post(title="根目录之外"))
    root = tmp_path / "root"
    write(root, "a.md", post(title="真文件"))
    write(root, "sub/b.md", post(title="子目录"))
    write(root, "copy-of-a.md", post(title="真文件"))  # the same bytes as a.md
    os.symlink(outside, root / "link-out.md")
    os.symlink("a.md", root / "link-in.md")
    out, err, failed = run_import(root, root / "sub")
    assert failed
    assert err.splitlines()[0] == (
        f"failed: link-out.md: symbolic link to {outside.resolve()}, outside the import root; "
        "not followed"
    )
    lines = out.splitlines()
    assert "created: a.md" in lines and "created: sub/b.md" in lines
    assert "skipped: link-in.md (symbolic link to a.md, imported under its own name)" in lines
    assert "skipped: copy-of-a.md (the same bytes as a.md; imported once, as that file)" in lines
    assert "skipped: b.md (the same file as sub/b.md (overlapping import roots))" in lines
    assert lines[-1] == "6 files: 2 created, 0 updated, 0 unchanged, 0 kept, 1 failed, 3 skipped"
    assert sorted(Article.objects.values_list("source_path", "title")) == [
        ("a.md", "真文件"),
        ("sub/b.md", "子目录"),
    ]
    # Again: the same answers, nothing new (the copy is caught against a.md's stored hash).
    out, err, failed = run_import(root, root / "sub")
    assert out.splitlines()[-1] == (
        "6 files: 0 created, 0 updated, 2 unchanged, 0 kept, 1 failed, 3 skipped"
    )
    assert Article.objects.count() == 2
    assert "link-in.md: symbolic link to a.md, imported under its own name" in (
        ImportRun.objects.first().warnings
    )


def test_a_file_named_directly_is_followed_even_through_a_link(tmp_path):
    target = write(tmp_path / "elsewhere", "post.md", post(title="直接指定"))
    os.symlink(target, tmp_path / "named.md")
    _, err, failed = run_import(tmp_path / "named.md")
    assert not failed, err
    assert Article.objects.get().title == "直接指定"


def test_vanished_files_are_reported_and_pruned_never_deleted(tmp_path):
    root = tmp_path / "site"
    write(root, "stays.md", post(title="留下"))
    gone = write(root, "gone/goes.md", post(title="会被删除"))
    write(tmp_path / "other", "other.md", post(title="另一个目录"))
    assert not run_import(root)[2] and not run_import(tmp_path / "other")[2]
    gone.unlink()

    out, err, failed = run_import(root)
    assert not failed, err
    note = "source file gone since the last import; still public"
    assert f"vanished: gone/goes.md ({note})" in out.splitlines()
    assert out.splitlines()[-1].endswith(", 0 failed, 1 vanished")
    run = ImportRun.objects.first()
    assert (run.vanished, run.warnings) == (1, [f"gone/goes.md: {note}"])
    assert Article.objects.get(source_path="gone/goes.md").status == "published"

    out, _, _ = run_import(root, "--prune")
    pruned = "source file gone since the last import; unpublished (--prune)"
    assert f"vanished: gone/goes.md ({pruned})" in out.splitlines()
    statuses = dict(Article.objects.values_list("source_path", "status"))
    # the other directory's article is not this root's: never reported, never touched
    assert statuses == {"stays.md": "published", "gone/goes.md": "draft", "other.md": "published"}
    out, _, _ = run_import(root, "--prune")
    assert "vanished" not in out  # a draft already: not reported again
