"""Article.objects.search on a small fixed corpus: every query class has a known answer.

The same tests run on SQLite (FTS5) and PostgreSQL (tsvector): CI runs the suite on both.
"""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from articles import search
from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

CORPUS = {
    "jilin": {
        "title": "吉林省长景俊海调研疫情防控工作",
        "body_text": "省长景俊海在长春市检查疫情防控措施。",
        "source": "吉林日报",
    },
    "referee": {
        "title": "AI 裁判首次亮相世界杯",
        "body_text": "国际足联宣布，AI裁判系统将在2022年世界杯正式使用。",
        "author": "新浪财经",
    },
    "gdp": {
        "title": "上半年经济数据发布",
        "body_text": "２０２２年上半年ＧＤＰ同比增长2.5%，经济运行总体平稳。",
        "author": "新浪财经",
    },
    # Many body hits for 疫情, none in the title: must still rank below a title hit.
    "economy": {
        "title": "经济观察",
        "body_text": "疫情对经济的影响。" * 8 + "He said the outlook is stable and not worse.",
        "source": "新华社",
    },
    # 疫情 and 防控 both occur, but never as the phrase 疫情防控.
    "apart": {"title": "社区通知", "body_text": "疫情期间，请配合社区的防控安排。"},
    "spring": {"title": "春天来了", "body_text": "春风吹过长白山。"},
    "draft": {"title": "疫情通报草稿", "body_text": "尚未发布的疫情通报。", "status": "draft"},
}


def make(title, body_text, **fields):
    # Article.save may derive body_text from body_html, so give both the same text.
    return make_article(
        title, body_html=f"<p>{escape(body_text)}</p>", body_text=body_text, **fields
    )


@pytest.fixture
def corpus():
    articles = {key: make(**fields) for key, fields in CORPUS.items()}
    search.update_index([article.pk for article in articles.values()])
    return articles


def found(q, **kwargs):
    """Keys of the corpus articles of the search's first page, in its order."""
    titles = {fields["title"]: key for key, fields in CORPUS.items()}
    return [titles[article.title] for article in Article.objects.search(q, **kwargs)[:50]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # One character: a prefix on the bigram that starts at it, so 春 inside 长春 counts too.
        ("春", {"jilin", "spring"}),
        ("检", {"jilin"}),
        # Two characters: most Chinese words, where FTS5's trigram tokenizer finds nothing.
        ("疫情", {"jilin", "economy", "apart"}),
        ("长春", {"jilin"}),
        # Three and more: a phrase of bigrams, so order and adjacency matter.
        ("景俊海", {"jilin"}),
        ("疫情防控", {"jilin"}),
        ("海俊景", set()),
        # Latin words and digits: whole words, case-folded, full-width forms folded too.
        ("GDP", {"gdp"}),
        ("gdp", {"gdp"}),
        ("ＧＤＰ", {"gdp"}),
        ("ai", {"referee"}),
        ("2022", {"referee", "gdp"}),
        ("202", set()),
        # Mixed terms: 2022年 matches 2022年世界杯 and ２０２２年上半年.
        ("2022年", {"referee", "gdp"}),
        ("AI裁判", {"referee"}),
        ("AI 裁判", {"referee"}),
        # Names of the author, source and categories are searchable too.
        ("新华社", {"economy"}),
    ],
)
def test_query_classes(corpus, q, expected):
    assert set(found(q)) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # Several terms: all must match.
        ("疫情 长春", {"jilin"}),
        ("疫情 世界杯", set()),
        # A quoted phrase keeps its words together; unquoted, they may be apart.
        ('"疫情防控"', {"jilin"}),
        ("疫情 防控", {"jilin", "apart"}),
        ("“AI 裁判”", {"referee"}),
        # A leading minus excludes.
        ("疫情 -防控", {"economy"}),
        ("疫情 -长春 -经济", {"apart"}),
        ('疫情 -"防控安排"', {"jilin", "economy"}),
    ],
)
def test_query_syntax(corpus, q, expected):
    assert set(found(q)) == expected


def test_title_matches_rank_above_body_matches(corpus):
    # jilin has 疫情 in its title; economy has it eight times in the body and still comes after.
    assert found("疫情", order="best")[0] == "jilin"
    assert found("疫情", order="best", include_unpublished=True)[:2] == ["draft", "jilin"]


def test_newest_first_by_default(corpus):
    Article.objects.filter(pk=corpus["economy"].pk).update(
        published_at=datetime(2023, 1, 1, tzinfo=UTC)
    )
    search.update_index([corpus["economy"].pk])
    assert found("疫情")[0] == "economy"
    Article.objects.filter(pk=corpus["apart"].pk).update(
        published_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    search.update_index([corpus["apart"].pk])
    assert found("疫情")[:2] == ["apart", "economy"]


def test_every_match_is_found_and_counted():
    title_hit = make("疫情简报", "正文。")
    body_hits = [make(f"通知{n}", "疫情正文。") for n in range(30)]
    search.update_index([title_hit.pk, *(article.pk for article in body_hits)])
    results = Article.objects.search("疫情")
    assert results.count() == 31
    assert results.count_up_to(10) == 10
    pages = [article.title for start in range(0, 40, 7) for article in results[start : start + 7]]
    assert sorted(pages) == sorted(["疫情简报", *(f"通知{n}" for n in range(30))])
    # Filters apply to every match, before paging.
    older = Article.objects.filter(pk__in=[article.pk for article in body_hits[:2]])
    assert {article.title for article in older.search("疫情")[:10]} == {"通知1", "通知0"}
    assert older.search("疫情").count() == 2


def test_drafts_only_for_staff(corpus):
    assert "draft" not in found("通报")
    assert found("通报", include_unpublished=True) == ["draft"]


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "，。！？",
        '"',
        '""',
        "-",
        "*",
        "NEAR(",
        'NEAR("疫情" "防控", 2)',
        "疫情*",
        "title:疫情",
        "-疫情",
        "疫情 AND",
        "OR NOT",
        "'; DROP TABLE articles_article; --",
        "a" * 10_000,
        "疫情 " * 5_000,
        "\x00",
    ],
)
def test_bad_queries_never_raise(corpus, q):
    results = list(Article.objects.search(q))
    assert all(isinstance(article, Article) for article in results)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"疫情', {"jilin", "economy", "apart"}),  # a lone quote is ignored, not an error
        ('疫情 "', {"jilin", "economy", "apart"}),
        ("疫情 -", {"jilin", "economy", "apart"}),  # a lone minus excludes nothing
        ("疫情 --", {"jilin", "economy", "apart"}),
        ("疫情*", {"jilin", "economy", "apart"}),  # FTS syntax is punctuation to us
        ("^疫情", {"jilin", "economy", "apart"}),
        ("疫情\x00", {"jilin", "economy", "apart"}),  # NUL is a separator, never a parameter
        ("\x00疫情\x00防控", {"jilin", "apart"}),
        ("疫情 --长春", {"economy", "apart"}),  # extra minus signs still exclude
        ('NEAR("疫情" "防控", 2)', set()),  # "near" is a word like any other, absent here
        ("NEAR(", set()),
        ("title:疫情", set()),
        # Operators are words: AND and NOT must occur in the text, OR is not an alternative.
        ("stable AND", {"economy"}),
        ("疫情 NOT 经济", {"economy"}),
        ("长春 OR 经济", set()),
        ("AND", {"economy"}),
    ],
)
def test_fts_syntax_is_plain_text(corpus, q, expected):
    assert set(found(q)) == expected


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"', "搜索词里没有可以查找的文字或数字。"),
        ('""', "搜索词里没有可以查找的文字或数字。"),
        ("-", "搜索词里没有可以查找的文字或数字。"),
        ("--", "搜索词里没有可以查找的文字或数字。"),
        ("*", "搜索词里没有可以查找的文字或数字。"),
        ("^", "搜索词里没有可以查找的文字或数字。"),
        ("\x00\t\x00", ""),  # control characters are spaces: an empty box
        ("--x", "请至少输入一个不带减号的搜索词。"),
        ('-"疫情防控"', "请至少输入一个不带减号的搜索词。"),
        ("a" * 10_000, "搜索词太长了，请不要超过 200 个字。"),
    ],
)
def test_bad_queries_find_nothing_and_say_why(corpus, q, message):
    assert str(search.parse_query(q).message) == message
    assert found(q) == []
    assert found(q, include_unpublished=True) == []


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", ""),
        ("，。！", "搜索词里没有可以查找的文字或数字。"),
        ("-疫情", "请至少输入一个不带减号的搜索词。"),
        ("疫" * 201, "搜索词太长了，请不要超过 200 个字。"),
        (" ".join(f"词{n}" for n in range(13)), "搜索词太多了，请不要超过 12 个。"),
    ],
)
def test_unusable_queries_explain_themselves(q, message):
    parsed = search.parse_query(q)
    assert str(parsed.message) == message
    assert parsed.positive == []


def test_a_bigram_may_straddle_two_words():
    # The price of bigrams named in articles/search.py: 长春 (the city) inside 市长 + 春节.
    article = make("市长春节慰问", "正文。")
    search.update_index([article.pk])
    assert list(Article.objects.search("长春")) == [article]
    assert search.highlight(article.title, "长春") == "市<mark>长春</mark>节慰问"


def test_publication_time_bounds_are_exact_to_the_microsecond():
    """A date range (and "published by now") narrows the index scan to a range of keys,
    whose seconds are floored: rows a fraction of a second either side of each bound must
    still be decided by the filter itself."""
    start = datetime(2022, 6, 1, 0, 0, 0, tzinfo=UTC)
    end = datetime(2022, 6, 30, 23, 59, 59, tzinfo=UTC)
    moments = {
        "before": start.replace(year=2022, month=5, day=31, hour=23, minute=59, second=59),
        "before_fraction": datetime(2022, 5, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        "at_start": start,
        "after_start": start.replace(microsecond=1),
        "at_end": end,
        "end_fraction": end.replace(microsecond=500_000),
        "after_end": datetime(2022, 7, 1, tzinfo=UTC),
    }
    articles = {
        name: make(f"疫情{name}", "疫情防控。", slug=name, published_at=moment)
        for name, moment in moments.items()
    }
    search.update_index([article.pk for article in articles.values()])
    by_title = {f"疫情{name}": name for name in moments}

    def between(low, high):
        within = Article.objects.filter(published_at__gte=low, published_at__lt=high)
        results = within.search("疫情")
        with CaptureQueriesContext(connection) as queries:
            page = [by_title[article.title] for article in results[:20]]
        if connection.vendor == "sqlite":  # the scan read a range of keys, not every match
            assert "articles_search.rowid >= " in queries[0]["sql"]
            assert "articles_search.rowid <= " in queries[0]["sql"]
        assert results.count() == len(page)
        return page

    assert between(start, end) == ["after_start", "at_start"]
    assert between(start, end.replace(microsecond=500_001)) == [
        "end_fraction",
        "at_end",
        "after_start",
        "at_start",
    ]
    assert between(moments["before_fraction"], start.replace(microsecond=1)) == [
        "at_start",
        "before_fraction",
    ]
    # Readers' "published by now" is an upper bound too: an article of the future is absent.
    articles["after_end"].published_at = datetime(2999, 1, 1, tzinfo=UTC)
    articles["after_end"].save()
    search.update_index([articles["after_end"].pk])
    assert "after_end" not in [by_title[a.title] for a in Article.objects.search("疫情")[:20]]


def test_category_author_and_source_filters_narrow_the_scan_inside_the_index():
    """The search page's filters read the index's facets column: a category's tree, an
    author, a source. Each result must still pass every filter, counted and paged alike."""
    from articles.models import Author, Category, FiledUnder, Source
    from tests.factories import category_chain

    city = category_chain("国内", "上海")
    abroad = category_chain("国际")
    body = "疫情防控。"
    make("疫情甲", body, slug="a", categories=[city.parent, city], author="甲", source="新华")
    make("疫情乙", body, slug="b", categories=[city.parent], author="乙", source="新华")
    make("疫情丙", body, slug="c", categories=[abroad], author="甲", source="中新")
    make("疫情丁", body, slug="d", categories=[city], source="中新")  # filed below only
    search.update_index(Article.objects.values_list("pk", flat=True))
    author, source = Author.objects.get(name="甲"), Source.objects.get(name="新华")

    def titles(articles):
        results = articles.search("疫情")
        with CaptureQueriesContext(connection) as queries:
            page = sorted(article.title[2] for article in results[:20])
        if connection.vendor == "sqlite":  # the filter's facet joined the MATCH expression
            assert "\u2063" in str(queries[0]["sql"])
        assert results.count() == len(page)
        return "".join(page)

    assert titles(Article.objects.filter(FiledUnder(city.parent))) == "丁乙甲"
    assert titles(Article.objects.filter(FiledUnder(city))) == "丁甲"
    assert titles(Article.objects.filter(FiledUnder(abroad), author=author)) == "丙"
    assert titles(Article.objects.filter(author=author)) == "丙甲"
    assert titles(Article.objects.filter(source=source)) == "乙甲"
    assert titles(Article.objects.filter(FiledUnder(city), source=source)) == "甲"
    assert titles(Article.objects.filter(FiledUnder(abroad), source=source)) == ""
    assert Category.objects.count() == 3


def test_counts_look_up_only_restricted_articles_and_the_edges_of_a_time_range():
    """A count trusts the index for published articles without a publish window inside its
    time range's whole seconds; drafts, windows (open, not yet open, closed), future articles
    and articles in the same second as a bound are decided by their rows. Each count equals
    the rows' own answer, and an editorial change of status or window is followed at once."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    hour = timedelta(hours=1)
    edge = datetime(2022, 4, 7, 13, 21, 43, 500_000, tzinfo=UTC)  # the middle of a second
    body = "疫情防控。"
    make("疫情甲", body, slug="plain")
    make("疫情乙", body, slug="draft", status="draft")
    make("疫情丙", body, slug="open", publish_start=now - hour, publish_end=now + hour)
    make("疫情丁", body, slug="closed", publish_end=now - hour)
    make("疫情戊", body, slug="later", publish_start=now + hour)
    make("疫情己", body, slug="future", published_at=now + hour)
    make("疫情庚", body, slug="before-edge", published_at=edge - timedelta(milliseconds=300))
    make("疫情辛", body, slug="after-edge", published_at=edge + timedelta(milliseconds=300))
    make("疫情壬", body, slug="next-second", published_at=edge + timedelta(seconds=1))
    search.update_index(Article.objects.values_list("pk", flat=True))

    def counted(articles, **options):
        results = articles.search("疫情", **options)
        with CaptureQueriesContext(connection) as queries:
            count, up_to = results.count(), results.count_up_to(3)
        if connection.vendor == "sqlite":  # the restricted entries were counted apart
            assert '"\u2063r"' in str(queries[0]["sql"])
        expected = articles.filter(title__startswith="疫情").count()
        assert (count, up_to) == (expected, min(expected, 3))
        keys = results.match_keys()
        assert keys is None or len(keys) == len(set(keys)) == expected
        return count

    published = Article.objects.published()
    # 甲 and 丙 carry the factory's date, the same second as `edge`.
    assert counted(published) == 5  # 甲 丙 庚 辛 壬
    assert counted(published.filter(published_at__gte=edge)) == 2  # 辛 壬
    assert counted(published.filter(published_at__gt=edge, published_at__lt=edge)) == 0
    assert counted(published.filter(published_at__lte=edge)) == 3  # 甲 丙 庚
    assert counted(published.filter(published_at__lt=edge + timedelta(seconds=1))) == 4
    assert counted(Article.objects.all(), include_unpublished=True) == 9  # staff: every one

    Article.objects.filter(slug="draft").edit(
        lambda articles: [setattr(a, "status", "published") for a in articles], fields=["status"]
    )
    Article.objects.filter(slug="plain").edit(
        lambda articles: [setattr(a, "publish_end", now - hour) for a in articles],
        fields=["publish_end"],
    )
    assert counted(Article.objects.published()) == 5  # 乙 in, 甲 out
