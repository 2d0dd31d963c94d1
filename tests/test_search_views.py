"""The search page and the admin's search box, both on Article.objects.search."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from articles import search
from tests.factories import category_chain, make_article

pytestmark = pytest.mark.django_db

URL = "/search/"


def make(title, body_text, **fields):
    # Article.save may derive body_text from body_html, so give both the same text.
    return make_article(
        title, body_html=f"<p>{escape(body_text)}</p>", body_text=body_text, **fields
    )


def indexed(*articles):
    search.update_index([article.pk for article in articles])
    return articles


def result_titles(response):
    return [article.title for article in response.context["page_obj"]]


def test_url_name():
    assert reverse("articles:search") == URL


def test_search_box_in_the_header_keeps_the_query(client):
    home = client.get("/")
    assertContains(home, f'<form class="search-form" action="{URL}" method="get"', count=1)
    box = '<input type="search" id="site-search" name="q" value="{}" placeholder="搜索文章">'
    assertContains(home, box.format(""), html=True)
    assertContains(client.get(URL, {"q": "<b>疫情"}), box.format("&lt;b&gt;疫情"), html=True)


def test_ranked_results_with_count_and_highlights(client):
    indexed(
        make("社区通知", "今天发布疫情防控通知。", slug="notice"),
        make("疫情防控新规", "新规自下月起施行。", slug="rules"),
        make("天气预报", "明天有雨。", slug="weather"),
    )
    response = client.get(URL, {"q": "疫情"})
    assert result_titles(response) == ["疫情防控新规", "社区通知"]
    assert response.context["page_obj"].paginator.count == 2
    html = response.content.decode()
    assert "找到 2 篇文章" in html
    assert "<mark>疫情</mark>防控新规</a>" in html
    assert '<p class="snippet" lang="zh-Hans">今天发布<mark>疫情</mark>防控通知。</p>' in html
    assert "天气预报" not in html


def test_snippet_is_escaped_and_cut_around_the_hit(client):
    body = (
        "<script>alert(1)</script>" + "无关的文字。" * 40 + "关键的疫情数据在这里。" + "尾声。" * 40
    )
    indexed(make("数据", body, slug="data"))
    html = client.get(URL, {"q": "疫情"}).content.decode()
    snippet = html.split('<p class="snippet" lang="zh-Hans">')[1].split("</p>")[0]
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "关键的<mark>疫情</mark>数据在这里。" in snippet
    assert "<script>" not in html.split("<main")[1]


def test_full_width_latin_hits_are_highlighted():
    assert search.snippet("２０２２年ＧＤＰ增长", "gdp 2022年") == (
        "<mark>２０２２年ＧＤＰ</mark>增长"  # adjacent hits merge
    )
    assert search.highlight("He said AI <b>", "ai") == "He said <mark>AI</mark> &lt;b&gt;"


def test_drafts_never_reach_readers(client):
    indexed(make("疫情草稿", "草稿正文。", slug="draft", status="draft"))
    response = client.get(URL, {"q": "疫情"})
    assert result_titles(response) == []
    assert "没有找到相关文章" in response.content.decode()


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("，。", "搜索词里没有可以查找的文字或数字。"),
        ('"', "搜索词里没有可以查找的文字或数字。"),
        ("*", "搜索词里没有可以查找的文字或数字。"),
        ("^", "搜索词里没有可以查找的文字或数字。"),
        ("--", "搜索词里没有可以查找的文字或数字。"),
        ("-疫情", "请至少输入一个不带减号的搜索词。"),
        ("--x", "请至少输入一个不带减号的搜索词。"),
        ("疫" * 10_000, "搜索词太长了，请不要超过 200 个字。"),
    ],
)
def test_bad_queries_get_a_friendly_message(client, q, message):
    indexed(make("疫情", "正文", slug="x"))
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert f'<p class="search-message" role="status">{message}</p>' in response.content.decode()


@pytest.mark.parametrize("q", ["NEAR(", "AND", "OR", "title:x", "疫情 NOT"])
def test_search_syntax_is_searched_as_words(client, q):
    # Operators of FTS5 and tsquery are ordinary words here: searched for, not obeyed.
    indexed(make("疫情", "正文", slug="x"))
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert result_titles(response) == []
    html = response.content.decode()
    assert "找到 0 篇文章" in html
    assert "没有找到相关文章" in html
    assert "search-message" not in html


def test_nul_characters_are_form_errors(client):
    indexed(make("疫情", "正文", slug="x"))
    for params in ({"q": "疫情\x00"}, {"q": "疫情", "author": "\x00"}):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert response.context["page_obj"] is None


def test_filters_category_with_descendants_author_source_and_dates(client):
    finance = category_chain("金融")
    domestic = category_chain("金融", "国内")
    tech = category_chain("科技")
    day = datetime(2022, 5, 1, 12, tzinfo=UTC)
    indexed(
        make(
            "疫情与银行",
            "正文",
            slug="a",
            categories=[domestic],
            author="新浪财经",
            published_at=day,
        ),
        make(
            "疫情与股市",
            "正文",
            slug="b",
            categories=[finance],
            source="新华社",
            published_at=day.replace(month=6),
        ),
        make(
            "疫情与芯片",
            "正文",
            slug="c",
            categories=[tech],
            author="新浪财经",
            published_at=day.replace(month=7),
        ),
    )

    def titles(**filters):
        return set(result_titles(client.get(URL, {"q": "疫情", **filters})))

    assert titles(category=finance.slug_path) == {"疫情与银行", "疫情与股市"}
    assert titles(category=domestic.slug_path) == {"疫情与银行"}
    assert titles(author="新浪财经") == {"疫情与银行", "疫情与芯片"}
    assert titles(source="新华社") == {"疫情与股市"}
    assert titles(start="2022-06-01") == {"疫情与股市", "疫情与芯片"}
    assert titles(end="2022-06-01") == {"疫情与银行", "疫情与股市"}
    assert titles(start="2022-06-01", end="2022-06-01") == {"疫情与股市"}


@pytest.mark.parametrize(
    "filters",
    [
        {"category": "no/such/path"},
        {"start": "2022-13-45"},
        {"start": "2022-06-02", "end": "2022-06-01"},
    ],
)
def test_bad_filters_are_form_errors_not_500s(client, filters):
    indexed(make("疫情", "正文", slug="x"))
    response = client.get(URL, {"q": "疫情", **filters})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["page_obj"] is None


def test_pagination_keeps_the_query_and_filters(client):
    indexed(*(make(f"疫情{n:02}", "正文", slug=f"p{n}", author="新华社") for n in range(23)))
    first = client.get(URL, {"q": "疫情", "author": "新华社"})
    assert len(result_titles(first)) == 20
    assert 'href="?q=%E7%96%AB%E6%83%85&amp;author=%E6%96%B0%E5%8D%8E%E7%A4%BE&amp;page=2"' in (
        first.content.decode()
    )
    second = client.get(URL, {"q": "疫情", "author": "新华社", "page": "2"})
    assert len(result_titles(second)) == 3
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    # Past the last page is a 404, as on every other list.
    assert client.get(URL, {"q": "疫情", "page": "3"}).status_code == 404
    assert client.get(URL, {"q": "疫情", "page": "999"}).status_code == 404
    assert client.get(URL, {"q": "疫情", "page": "x"}).status_code == 404


def test_query_count_does_not_grow_with_results(client):
    category = category_chain("金融")
    indexed(make("疫情", "正文", slug="one", categories=[category], author="新华社"))
    # The header's navigation counts are cached: warm the cache so only the search is counted.
    client.get(URL, {"q": "疫情"})
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"q": "疫情"})
    indexed(
        *(
            make(
                f"疫情{n}",
                "正文",
                slug=f"many{n}",
                categories=[category],
                tags=["t"],
                author=f"作者{n}",
                source=f"来源{n}",
            )
            for n in range(15)
        )
    )
    client.get(URL, {"q": "疫情"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"q": "疫情"})
    assert len(result_titles(response)) == 16
    assert len(many) == len(few)


def test_admin_search_uses_the_index_and_shows_drafts(admin_client):
    indexed(
        make("疫情通报", "正文", slug="draft", status="draft"),
        make("社区通知", "疫情防控。", slug="body"),
        make("天气", "晴。", slug="weather"),
    )
    response = admin_client.get(reverse("admin:articles_article_changelist"), {"q": "疫情"})
    assert response.status_code == 200
    titles = [article.title for article in response.context["cl"].result_list]
    # Best match first: the title hit (a draft, visible to staff) above the body hit.
    assert titles == ["疫情通报", "社区通知"]
    assert 'name="q"' in response.content.decode()


@pytest.mark.parametrize("q", ["NEAR(", "*", '"', "--x", "-疫情", "^", "a" * 10_000])
def test_admin_search_with_unusable_query_is_empty_not_500(admin_client, q):
    indexed(make("疫情通报", "正文", slug="draft", status="draft"))
    response = admin_client.get(reverse("admin:articles_article_changelist"), {"q": q})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_admin_search_treats_control_characters_as_spaces(admin_client):
    indexed(make("疫情通报", "正文", slug="draft", status="draft"))
    response = admin_client.get(reverse("admin:articles_article_changelist"), {"q": "疫情\x01通报"})
    assert [article.title for article in response.context["cl"].result_list] == ["疫情通报"]


def test_admin_edit_reindexes(admin_client):
    (article,) = indexed(make("旧标题", "正文", slug="edit-me"))
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        title="新标题景俊海",
        published_at_0="2022-04-07",
        published_at_1="13:21:43",
        categories=[],
        tags="",
        **{
            f"images-{key}": value
            for key, value in {
                "TOTAL_FORMS": 0,
                "INITIAL_FORMS": 0,
                "MIN_NUM_FORMS": 0,
                "MAX_NUM_FORMS": 1000,
            }.items()
        },
    )
    for key in ("publish_start", "publish_end", "updated_at"):
        data.pop(key, None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [a.title for a in type(article).objects.search("景俊海")] == ["新标题景俊海"]
    assert not type(article).objects.search("旧标题").exists()


def test_admin_bulk_action_over_a_search_acts_on_every_match(admin_client, settings):
    # More matches than one changelist page: "select all" must reach the ones not shown.
    matches = indexed(*(make(f"疫情通报{n}", "正文", slug=f"m{n}") for n in range(130)))
    indexed(make("天气", "晴。", slug="weather"))
    url = reverse("admin:articles_article_changelist")
    listed = admin_client.get(url, {"q": "疫情"})
    assert listed.context["cl"].result_count == 130
    assert len(listed.context["cl"].result_list) == listed.context["cl"].list_per_page < 130
    response = admin_client.post(
        url + "?q=%E7%96%AB%E6%83%85",
        {"action": "unpublish", "select_across": "1", "_selected_action": [matches[0].pk]},
    )
    assert response.status_code == 302
    from articles.models import Article

    assert Article.objects.drafts().count() == 130
    assert Article.objects.published().get().title == "天气"
