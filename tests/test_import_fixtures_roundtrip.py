"""Every real fixture (blog sites of each engine, crawler feeds, the seeds) stored the same
whatever the process, settled (cleaning, sanitizing or reprocessing it again changes nothing),
and the same again after an export and an import into an empty database."""

import difflib
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from articles.content import derive, sanitize
from articles.importing.cleaning import clean_body
from articles.importing.pipeline import stored_body
from articles.importing.reading import iter_post_files, relative_identity
from articles.models import Article, Author, Category, Editor, OldAddress, Source

from .conftest import SEEDS
from .importing import run_import
from .test_crawler_feeds import FEEDS
from .test_import_engines import BLOGS
from .test_import_lifecycle import differences, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixtures(tmp_path):
    """Every fixture folder, found afresh (more keep being added) and copied with its file
    times, less the READMEs that say where the posts come from: the blogs' and the feeds'
    would both be the post 'README.md'. The copy is a checkout of its own (a .git folder),
    so no configuration above it decides an engine."""
    (tmp_path / ".git").mkdir()
    roots = [tmp_path / folder.name for folder in (BLOGS, FEEDS, SEEDS)]
    for folder, root in zip((BLOGS, FEEDS, SEEDS), roots, strict=True):
        shutil.copytree(folder, root, ignore=shutil.ignore_patterns("README*"))
    return roots


def import_all(*roots, args=()):
    """Import the fixtures: every post is stored but a byte-identical copy of another (stored
    once) and the few their own engine refuses too."""
    out, err, _ = run_import(*roots, *args)
    found = {relative_identity(root, path) for root, path in iter_post_files(map(str, roots))}
    stored = set(Article.objects.values_list("source_path", flat=True))
    assert stored <= found and len(found) > 400
    copies = {path for path in found - stored if f"skipped: {path} (the same bytes as " in out}
    refused = found - stored - copies
    assert len(refused) <= len(found) // 100, err
    assert all(f"failed: {path}:" in err for path in refused), (refused, err)
    return snapshot()


def described(changes):
    """'file: field' and a diff of each value that changed, for the assertion message."""
    lines = []
    for path, fields in sorted(changes.items()):
        for name, after, before in fields:
            lines.append(f"{path}: {name}")
            if isinstance(before, str) and isinstance(after, str):
                lines += difflib.unified_diff(
                    before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=1
                )
            else:
                lines += [f"  before: {before!r}", f"  after:  {after!r}"]
    return "\n".join(lines)


def test_two_workers_store_the_same_bytes_as_one(fixtures):
    one = import_all(*fixtures)
    Article.objects.all().delete()
    changes = differences(import_all(*fixtures, args=("--jobs", "2")), one)
    assert not changes, described(changes)


SETTLED = ["sanitized", "body_html", "body_text", "excerpt", "title", "original_title", "images"]


def stored_and_again(article):
    """An article's stored fields, and what sanitizing, cleaning and deriving them once more
    gives (as an import does: clean, sanitize, derive)."""
    cleaned = clean_body(article.body_html)
    fields = derive(
        title=article.title,
        body_html=stored_body(cleaned.html),
        excerpt=article.excerpt,
        original_title=article.original_title,
    )
    images = [(i.src, i.alt, i.caption) for i in article.images.all()]
    stored = [article.body_html, article.body_html, article.body_text, article.excerpt]
    stored += [article.title, article.original_title, images]
    again = [sanitize(article.body_html), fields.body_html, fields.body_text, fields.excerpt]
    again += [
        fields.title,
        fields.original_title,
        [(i.src, i.alt, i.caption) for i in cleaned.images],
    ]
    return stored, again


def test_stored_output_is_settled(fixtures):
    import_all(*fixtures)
    changes = {}
    for article in Article.objects.prefetch_related("images"):
        stored, again = stored_and_again(article)
        fields = [(n, a, s) for n, a, s in zip(SETTLED, again, stored, strict=True) if a != s]
        if fields:
            changes[article.source_path] = fields
    assert not changes, described(changes)
    out = StringIO()
    call_command("reprocess_articles", stdout=out, verbosity=2)
    total = Article.objects.count()
    assert out.getvalue().splitlines()[-1] == (
        f"{total} files: 0 created, 0 updated, {total} unchanged, 0 kept, 0 failed"
    ), "\n".join(line for line in out.getvalue().splitlines() if line.startswith("updated"))


def test_export_then_import_into_an_empty_database_gives_the_same_articles(fixtures, tmp_path):
    before = import_all(*fixtures)
    addresses = sorted(OldAddress.objects.values_list("path", "article__source_path"))
    call_command("export_articles", str(tmp_path / "out"), stdout=StringIO())
    for model in (Article, Category, Author, Editor, Source):
        model.objects.all().delete()
    _, err, failed = run_import(tmp_path / "out")
    assert not failed, err
    changes = differences(snapshot(), before)
    assert not changes, described(changes)
    assert len(addresses) > 80
    assert sorted(OldAddress.objects.values_list("path", "article__source_path")) == addresses
