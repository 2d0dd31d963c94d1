"""import_articles end to end: real files, real database, output read back."""

import csv
import os
from datetime import datetime

import pytest
from django.urls import reverse

from articles.models import Article, ArticleImage, Category, ImportRun

from .conftest import SEEDS, SHARED
from .importing import make_corpus, post, run_import, write

pytestmark = pytest.mark.django_db


def test_rerun_is_idempotent_and_reports_unchanged():
    out, _, failed = run_import(SEEDS)
    assert not failed and out.endswith(
        "2 files: 2 created, 0 updated, 0 unchanged, 0 kept, 0 failed\n"
    )
    counts = (Article.objects.count(), ArticleImage.objects.count(), Category.objects.count())
    out, _, failed = run_import(SEEDS)
    assert "unchanged: 000_72b6288f2e261dc3.txt" in out
    assert out.endswith("2 files: 0 created, 0 updated, 2 unchanged, 0 kept, 0 failed\n")
    assert (
        Article.objects.count(),
        ArticleImage.objects.count(),
        Category.objects.count(),
    ) == counts


def test_changed_file_updates_in_place(tmp_path):
    path = write(tmp_path, "a/b.md", post(title="甲", leaf="国内"))
    run_import(tmp_path)
    article = Article.objects.get()
    path.write_text(post(title="甲改", leaf="国际", body="新的正文。"), encoding="utf-8")
    out, _, _ = run_import(tmp_path)
    assert "updated: a/b.md" in out
    updated = Article.objects.get()
    assert updated.pk == article.pk and updated.slug == article.slug  # stable URL
    assert updated.title == "甲改" and updated.body_text == "新的正文。"
    assert [c.name for c in updated.categories.order_by("depth")] == ["金融", "新浪财经", "国际"]
    assert updated.images.count() == 1
    assert updated.raw.text.startswith("\n---\ntitle: '甲改'")


def test_admin_edit_is_kept_unless_forced(tmp_path, admin_client):
    path = write(tmp_path, "x.md", post(title="原始"))
    run_import(tmp_path)
    article = Article.objects.get()
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in {"categories", "tags"}
    }
    data.update(
        title="编辑改过的标题",
        categories=[c.pk for c in article.categories.all()],
        tags="",
        published_at_0="2022-04-07",
        published_at_1="21:21:43",
        body_html="<p>编辑的正文</p>",
        **{"images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0"},
    )
    for key in ("published_at", "updated_at", "publish_start", "publish_end"):
        data.pop(key, None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    edited = Article.objects.get()
    assert edited.title == "编辑改过的标题" and edited.edited_at is not None

    path.write_text(post(title="文件又变了"), encoding="utf-8")
    out, _, _ = run_import(tmp_path)
    assert "kept: x.md" in out and "1 kept" in out
    assert Article.objects.get().title == "编辑改过的标题"

    out, _, _ = run_import(tmp_path, "--force")
    assert "updated: x.md" in out
    forced = Article.objects.get()
    assert forced.title == "文件又变了" and forced.edited_at is None


def test_dry_run_writes_nothing():
    out, _, failed = run_import(SEEDS, "--dry-run")
    assert not failed
    assert "Dry run, nothing written. 2 files: 2 created" in out
    assert Article.objects.count() == 0 and Category.objects.count() == 0
    assert ImportRun.objects.count() == 0


BAD_FILES = {
    "empty.md": (b"", "empty file: no front matter and no text"),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "broken-yaml.md": ("\n---\ntitle: [oops\ndate: 2022-01-01\n---\nbody", "not valid YAML"),
    "no-date.md": ("---\ntitle: t\ndate: ''\nupdated: 去年\n---\n<p>x</p>", "not a date format"),
    "bad-date.md": ("---\ntitle: t\ndate: 去年春天\n---\n<p>x</p>", "not a date format"),
    "unclosed.md": ("\n---\ntitle: t\ndate: 2022-01-01\n<p>x</p>", "never closed"),
    "bomb.md": (
        "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "title: boom\n---\n",
        "alias bomb",
    ),
}


def test_bad_files_fail_one_by_one_and_the_rest_imports(tmp_path):
    for name, (content, _) in BAD_FILES.items():
        write(tmp_path, name, content)
    good = post(title="好文件")
    write(tmp_path, "gb18030.md", good.encode("gb18030"))
    write(tmp_path, "bom.md", b"\xef\xbb\xbf" + good.replace("好文件", "带BOM").encode())
    write(tmp_path, "crlf.md", good.replace("好文件", "CRLF").replace("\n", "\r\n"))
    out, err, failed = run_import(tmp_path)
    assert failed
    for name, (_, reason) in BAD_FILES.items():
        line = next(line for line in err.splitlines() if f"failed: {name}" in line)
        assert reason in line
    assert "failed: broken-yaml.md:3: " in err or "failed: broken-yaml.md:4: " in err
    assert "Traceback" not in err
    assert "7 file(s) failed to import" in err
    assert "created: gb18030.md (not UTF-8, decoded as GB18030)" in out
    assert "created: bom.md\n" in out
    assert set(Article.objects.values_list("title", flat=True)) == {"好文件", "带BOM", "CRLF"}
    run = ImportRun.objects.get()
    assert (run.created, run.failed) == (3, 7)
    assert any("bomb.md" in error for error in run.errors)


def test_verbosity_zero_is_quiet_and_failures_still_exit_nonzero(tmp_path):
    write(tmp_path, "bad.md", b"")
    out, _err, failed = run_import(tmp_path, verbosity=0)
    assert out == "" and failed


def test_same_title_and_date_get_distinct_slugs(tmp_path):
    # Different bodies: byte-identical files are one article (tests/test_import_sources.py).
    write(tmp_path, "a.md", post(title="同名", body="第一篇。"))
    write(tmp_path, "b.md", post(title="同名", body="第二篇。"))
    run_import(tmp_path)
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["同名", "同名-2"]


def test_generated_corpus_matches_its_manifest(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 1000)
    out, err, failed = run_import(corpus, "--jobs", "2", verbosity=1)
    assert not failed, err
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert out.strip().endswith(
        f"{len(rows)} files: {len(rows)} created, 0 updated, 0 unchanged, 0 kept, 0 failed"
    )
    articles = {
        a.source_path: a
        for a in Article.objects.select_related("editor", "source").prefetch_related("categories")
    }
    assert len(articles) == len(rows)
    image_counts = dict(
        Article.objects.annotate(
            n=__import__("django.db.models").db.models.Count("images")
        ).values_list("source_path", "n")
    )
    for row in rows:
        article = articles[row["path"]]
        assert article.title == row["title"]
        assert article.published_at == datetime.fromisoformat(row["date"])
        leaf = max(article.categories.all(), key=lambda c: c.depth)
        assert leaf.path.replace(" / ", "/") == row["category"]
        assert (article.editor.name if article.editor else "") == row["editor"].split(" ")[0]
        assert image_counts[row["path"]] == int(row["images"])
        assert (article.source.name if article.source else "") == row["source"], row["path"]
        assert "appendQr" not in article.body_html and "责任编辑" not in article.body_html
    out, _, _ = run_import(corpus, "--jobs", "2", verbosity=1)
    assert f"{len(rows)} unchanged" in out


def test_hexo_edge_case_posts_import_or_fail_clearly():
    out, err, _ = run_import(SHARED / "corpus")
    assert "Traceback" not in err
    total = sum(1 for _ in (SHARED / "corpus").rglob("*.md"))
    assert f"{total} files:" in out
    failures = [line for line in err.splitlines() if line.startswith("failed: ")]
    assert all(": " in line.removeprefix("failed: ") for line in failures)
    assert Article.objects.count() == total - len(failures)
    # Hexo publishes a post without a title; so does the importer, titled by its file name.
    assert failures == []
    untitled = Article.objects.get(source_path__endswith="_posts/no-title.md")
    assert untitled.title == "no-title"
    chained = Article.objects.get(source_path__endswith="_posts/categories.md")
    assert sorted(c.path for c in chained.categories.all()) == [
        "Foo",
        "Foo / Bar",
        "Foo / Bar / Baz",
    ]
    tagged = Article.objects.get(source_path__endswith="_posts/tags.md")
    assert sorted(tagged.tags.names()) == ["Bar", "Baz", "Foo"]
    excerpts = Article.objects.get(source_path__endswith="_posts/excerpts.md")
    assert excerpts.excerpt == "The following contents should be invisible in home/archive page."
    assert Article.objects.get(source_path__endswith="中文測試.md").title == "中文測試"


def test_rerun_skips_reading_files_whose_stat_is_unchanged(tmp_path, monkeypatch):
    from articles.importing import runner

    path = write(tmp_path, "a.md", post(title="甲"))
    write(tmp_path, "b.md", post(title="乙"))
    run_import(tmp_path)
    reads = []
    read_bytes = runner.read_bytes
    monkeypatch.setattr(runner, "read_bytes", lambda p: reads.append(p) or read_bytes(p))

    out, _, _ = run_import(tmp_path)
    assert out.endswith("2 files: 0 created, 0 updated, 2 unchanged, 0 kept, 0 failed\n")
    assert reads == []

    # Touched, same text: read once, found unchanged by its hash, and its new stat kept.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    out, _, _ = run_import(tmp_path)
    assert "unchanged: a.md" in out and [os.path.basename(p) for p in reads] == ["a.md"]
    assert Article.objects.get(source_path="a.md").source_mtime_ns == path.stat().st_mtime_ns
    run_import(tmp_path)
    assert len(reads) == 1


def test_checksum_reads_what_a_matching_stat_would_hide(tmp_path):
    path = write(tmp_path, "a.md", post(title="甲", body="正文一"))
    run_import(tmp_path)
    stat = path.stat()
    # Same length, same mtime, different text: only --checksum can tell.
    path.write_text(post(title="甲", body="正文二"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    out, _, _ = run_import(tmp_path)
    assert "unchanged: a.md" in out
    out, _, _ = run_import(tmp_path, "--checksum")
    assert "updated: a.md" in out
    assert Article.objects.get().body_text == "正文二"


def test_long_names_that_slugify_alike_still_fit_their_columns(tmp_path):
    # Slug suffixes (-2, _1) once pushed 200/100-character slugs past their columns, and
    # NFKC made a category path longer than its names: PostgreSQL refused those files.
    def front(title, categories, tags):
        return (
            f"---\ntitle: {title}\ndate: 2022-04-07\ncategories: {categories}\n"
            f"tags: {tags}\n---\n<p>正文</p>"
        )

    write(tmp_path, "a.md", front("甲", [["A" * 200]], ["t" * 99 + "!"]))
    write(tmp_path, "b.md", front("乙", [["a" * 200]], ["t" * 99 + "?"]))
    write(tmp_path, "c.md", front("丙", [["\ufdfa" * 30] * 6], []))
    out, err, failed = run_import(tmp_path)
    assert failed and "2 created" in out
    assert "c.md: database refused it: category path is over 1000 characters" in err
    slugs = sorted(Category.objects.values_list("slug", flat=True))
    assert slugs == sorted(["a" * 200, "a" * 190 + "-2"])
    from taggit.models import Tag

    assert sorted(Tag.objects.values_list("slug", flat=True)) == sorted(["t" * 99, "t" * 90 + "-2"])


def test_batches_are_bounded_by_bytes_as_well_as_by_count(tmp_path):
    from articles.importing.reading import iter_post_files
    from articles.importing.runner import file_chunks

    for name, size in [("a", 1000), ("b", 1000), ("c", 1000), ("d", 5000), ("e", 1000)]:
        write(tmp_path, f"{name}.md", "x" * size)
    chunks = file_chunks(iter_post_files([tmp_path]), size=200, max_bytes=2500)
    names = [[os.path.basename(path) for _, path, _, _ in chunk] for chunk in chunks]
    assert names == [["a.md", "b.md"], ["c.md"], ["d.md"], ["e.md"]]
    chunks = file_chunks(iter_post_files([tmp_path]), size=2, max_bytes=10**6)
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]


POISON_TRIGGER = {
    # A row the database accepts at once and refuses only at COMMIT: Django makes foreign keys
    # DEFERRABLE INITIALLY DEFERRED on both backends, so an image of a missing article fails
    # the transaction that holds it, at its end.
    "sqlite": [
        """CREATE TRIGGER poison AFTER INSERT ON articles_rawsource
        WHEN NEW.text LIKE '%%POISON%%' BEGIN
            INSERT INTO articles_articleimage (article_id, position, src, alt, caption)
            VALUES (2147483000, 0, 'x', '', '');
        END""",
    ],
    "postgresql": [
        """CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            IF NEW.text LIKE '%%POISON%%' THEN
                INSERT INTO articles_articleimage (article_id, position, src, alt, caption)
                VALUES (2147483000, 0, 'x', '', '');
            END IF;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER poison AFTER INSERT ON articles_rawsource
        FOR EACH ROW EXECUTE FUNCTION poison()""",
    ],
}


@pytest.mark.django_db(transaction=True)  # the import's own COMMIT must really happen
def test_a_commit_the_database_refuses_fails_only_its_culprit(tmp_path):
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in POISON_TRIGGER[connection.vendor]:
            cursor.execute(statement)
    for n in range(5):
        body = "POISON 正文。" if n == 2 else f"正文第{n}段。"
        write(tmp_path, f"{n}.md", post(title=f"文章{n}", body=body))
    out, err, failed = run_import(tmp_path, "--jobs", "2")
    assert failed and "Traceback" not in err
    assert "failed: 2.md: database refused it: " in err
    assert "1 file(s) failed to import" in err
    assert out.count("created: ") == 4
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "文章0",
        "文章1",
        "文章3",
        "文章4",
    ]
    assert not ArticleImage.objects.exclude(article__in=Article.objects.all()).exists()
