"""The search against its specification (tests/search_oracle.py) over 3,000 generated crawler
files, imported as an operator would: every result set, count and order must equal the
substring scan's, on whichever database the suite runs."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles import search
from articles.models import Article, Category
from articles.search_views import SearchForm
from tests import search_oracle
from tests.importing import make_corpus, run_import

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLES = 3000
QUERIES = 135  # 15 of each kind of search_oracle.draw_queries
PAGE = 700


def every_page(results):
    """All results, read page by page as a reader would."""
    found, start = [], 0
    while page := list(results.only("pk", "published_at")[start : start + PAGE]):
        found += page
        start += PAGE
    return found


def newest_first(articles):
    return sorted(articles, key=lambda article: (article.published_at, article.pk), reverse=True)


@pytest.fixture
def archive(tmp_path):
    make_corpus(tmp_path / "corpus", ARTICLES, seed=15)
    _out, err, failed = run_import(tmp_path / "corpus", verbosity=0)
    assert not failed, err
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == ARTICLES
    # Some articles readers must not find: drafts, a future date, a closed publish window.
    Article.objects.filter(pk__in=ids[::50]).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk__in=ids[7::97]).update(
        published_at=timezone.now() + timedelta(days=30)
    )
    Article.objects.filter(pk__in=ids[11::89]).update(
        publish_end=datetime(2000, 1, 1, tzinfo=UTC)
    )
    # As every editorial change does (articles.editing): the entry carries the publication
    # time (its key) and whether the article is restricted (a draft, a publish window).
    search.update_index(ids[::50] + ids[7::97] + ids[11::89])
    articles = Article.objects.select_related("author", "editor", "source").prefetch_related(
        "categories", "tags"
    )
    return search_oracle.article_texts(articles), list(articles)


def local_day(article):
    return timezone.localtime(article.published_at).date().isoformat()


def check(results, expected, articles_by_id, order):
    assert results.count() == len(expected)
    assert results.count_up_to(search.MAX_COUNT + 1) == min(len(expected), search.MAX_COUNT + 1)
    assert results.count_up_to(5) == min(len(expected), 5)
    found = every_page(results)
    assert len(found) == len(expected)
    assert {article.pk for article in found} == expected
    if order == search.NEWEST:
        newest = newest_first(articles_by_id[pk] for pk in expected)
        assert [article.pk for article in found] == [article.pk for article in newest]


def test_every_result_set_equals_the_substring_scan(archive):
    texts, articles = archive
    by_id = {article.pk: article for article in articles}
    public = set(Article.objects.published().values_list("pk", flat=True))
    bodies = [article.body_text for article in articles[::10]]
    queries = search_oracle.draw_queries(bodies, QUERIES, seed=15)
    roots = list(Category.objects.roots())
    named = [a for a in articles if a.pk in public and a.author_id and a.source_id]
    sizes = []
    for number, q in enumerate(queries):
        expected = search_oracle.matches(texts, q)
        sizes.append(len(expected & public))
        order = search.BEST if number % 4 == 3 else search.NEWEST
        check(Article.objects.search(q, order=order), expected & public, by_id, order)
        if number % 5 == 0:  # staff (the admin) see drafts and future articles too
            staff = Article.objects.search(q, include_unpublished=True)
            check(staff, expected, by_id, search.NEWEST)
        if number % 3 == 0:  # the search page's filters: a top-level category and dates
            root = roots[number % len(roots)]
            start, end = "2021-06-01", "2022-01-31"
            form = SearchForm({"q": q, "category": root.slug_path, "start": start, "end": end})
            assert form.is_valid(), form.errors
            below = {c.pk for c in Category.objects.descendants_of(root)}
            narrowed = {
                pk
                for pk in expected & public
                if below & {c.pk for c in by_id[pk].categories.all()}
                and start <= timezone.localtime(by_id[pk].published_at).date().isoformat() <= end
            }
            check(form.filter(Article.objects.all()).search(q), narrowed, by_id, search.NEWEST)
        if number % 3 == 1:  # an author, or a source with a category below the top level
            some = named[number * 7 % len(named)]
            if number % 2:
                form = SearchForm({"q": q, "author": some.author.slug})
                wanted = {pk for pk in expected & public if by_id[pk].author_id == some.author_id}
            else:
                leaf = max(some.categories.all(), key=lambda category: category.depth)
                form = SearchForm({"q": q, "source": some.source.slug, "category": leaf.slug_path})
                below = {c.pk for c in Category.objects.descendants_of(leaf)}
                wanted = {
                    pk
                    for pk in expected & public
                    if by_id[pk].source_id == some.source_id
                    and below & {c.pk for c in by_id[pk].categories.all()}
                }
            assert form.is_valid(), form.errors
            order = search.BEST if number % 4 == 1 else search.NEWEST
            check(form.filter(Article.objects.all()).search(q, order=order), wanted, by_id, order)
    # The draw must reach rare and common terms alike, or the comparison proves little.
    assert min(sizes) == 0 and max(sizes) > ARTICLES // 2
