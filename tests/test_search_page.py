"""The search page beyond its results: orders, counts past 10,000, facets, the form, English,
traditional and simplified characters."""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from articles import search
from tests.factories import category_chain, make_article

pytestmark = pytest.mark.django_db

URL = "/search/"


def indexed(*articles):
    search.update_index([article.pk for article in articles])
    return articles


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response, BeautifulSoup(response.text, "html.parser")


def titles(response):
    return [article.title for article in response.context["page_obj"]]


def test_traditional_and_simplified_find_each_other_and_marks_stay_on_the_original(client):
    indexed(
        make_article("经济发展报告", body_html="<p>后来的事。</p>", slug="s"),
        make_article("經濟發展論壇", body_html="<p>後來的事。</p>", slug="t"),
    )
    for q in ("經濟發展", "经济发展", "经济發展"):
        assert set(titles(client.get(URL, {"q": q}))) == {"经济发展报告", "經濟發展論壇"}, q
    for q in ("後", "后", "後來"):
        assert len(titles(client.get(URL, {"q": q}))) == 2, q
    _response, soup = page(client, q="经济发展")
    assert {mark.text for mark in soup.select(".row-title mark")} == {"经济发展", "經濟發展"}


def test_newest_first_by_default_and_best_match_on_request(client):
    old = make_article("疫情通报", published_at=datetime(2020, 1, 1, tzinfo=UTC), slug="a")
    new = make_article("天气", body_html="<p>疫情之后。</p>", slug="b")
    indexed(old, new)
    assert titles(client.get(URL, {"q": "疫情"})) == ["天气", "疫情通报"]
    assert titles(client.get(URL, {"q": "疫情", "order": "best"})) == ["疫情通报", "天气"]
    _response, soup = page(client, q="疫情")
    assert [o["value"] for o in soup.select("select[name=order] option")] == ["newest", "best"]


def test_past_ten_thousand_the_count_says_so_and_paging_goes_on(client, monkeypatch):
    monkeypatch.setattr(search, "MAX_COUNT", 30)
    indexed(*(make_article(f"疫情{n:02}", slug=f"p{n}") for n in range(45)))
    response, soup = page(client, q="疫情")
    assert soup.select_one(".result-count").text == "找到超过 30 篇文章"
    seen = []
    for number in (1, 2, 3):
        response = client.get(URL, {"q": "疫情", "page": number})
        seen += titles(response)
        assert bool(response.context["page_obj"].more) == (number < 3)
    assert sorted(seen) == sorted(f"疫情{n:02}" for n in range(45))
    assert client.get(URL, {"q": "疫情", "page": 4}).status_code == 404


def test_facets_count_every_match_and_narrow_the_search(client):
    finance, tech = category_chain("金融", "国内"), category_chain("科技")
    indexed(
        *(make_article(f"疫情{n}", slug=f"f{n}", categories=[finance], source="新华社",
                       author="新浪财经") for n in range(3)),
        make_article("疫情科技", slug="t", categories=[tech], source="人民日报",
                     published_at=datetime(2021, 5, 1, tzinfo=UTC)),
        make_article("无关", slug="x", categories=[tech]),
    )  # fmt: skip
    response, soup = page(client, q="疫情")
    facets = response.context["facets"]
    assert [(name, n) for name, _slug, n in facets["category"]] == [("金融", 3), ("科技", 1)]
    assert [(name, n) for name, _slug, n in facets["source"]] == [("新华社", 3), ("人民日报", 1)]
    assert [(name, n) for name, _slug, n in facets["author"]] == [("新浪财经", 3)]
    assert [(year, n) for year, n, *_ in facets["year"]] == [(2022, 3), (2021, 1)]
    facet_links = soup.select_one(".search-facets")
    link = facet_links.find("a", string="科技")["href"]
    assert titles(client.get(URL + link)) == ["疫情科技"]
    year = facet_links.find("a", string="2021")["href"]
    assert "start=2021-01-01" in year and "end=2021-12-31" in year
    assert titles(client.get(URL + year)) == ["疫情科技"]


def test_each_category_once_on_a_result_line(client):
    chain = category_chain("金融", "新浪财经", "金融")
    other = category_chain("新浪财经")
    indexed(make_article("疫情", slug="a", categories=[chain, chain.parent, other]))
    _response, soup = page(client, q="疫情")
    names = [a.text for a in soup.select(".search-result .category")]
    assert sorted(names) == ["新浪财经", "金融"]


def test_the_form_labels_hints_and_dates(client):
    category_chain("金融")
    _response, soup = page(client, q="疫情", start="2022-01-02")
    form = soup.select_one("form.search-page-form")
    labels = [label.text for label in form.find_all("label")]
    expected = ["搜索词", "排序", "分类", "作者", "来源", "起始日期", "截止日期"]
    assert labels == [label + "：" for label in expected]  # full-width colons
    field = form.select_one(".form-field-category")
    assert [child.name for child in field.find_all(recursive=False)] == ["label", "select", "div"]
    assert field.select_one(".helptext").text == "包括下级分类。"
    start = form.select_one("input[name=start]")
    assert (start["type"], start["value"]) == ("date", "2022-01-02")
    assert form.select_one("button[type=submit]")


def test_the_english_page_has_no_chinese_of_its_own(client):
    indexed(make_article("疫情", slug="a", categories=[category_chain("金融")], source="新华社"))
    with translation.override("en"):
        url = reverse("articles:search")
    assert url == "/en/search/"
    response = client.get(url, {"q": "疫情"})
    soup = BeautifulSoup(response.text, "html.parser")
    # Everything but the content (titles, names, snippets) and the language switch.
    skip = ".search-result, .search-facets li a, .language-switch, option, .category-nav, title"
    for content in soup.select(skip):
        content.decompose()
    for script in soup.select("input"):
        script.decompose()
    chinese = [
        text for text in soup.stripped_strings if any("\u4e00" <= c <= "\u9fff" for c in text)
    ]
    assert chinese == []
    assert soup.select_one(".result-count").text == "1 article found"
