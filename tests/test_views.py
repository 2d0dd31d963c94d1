"""Public pages: what a reader sees, asserted on the rendered HTML."""

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.http import http_date

from articles import cache_version
from articles.models import Article

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db

APRIL_7 = datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)  # 21:21 in Asia/Shanghai


@pytest.fixture(autouse=True)
def fresh_cache():
    # Navigation counts and feeds are cached; each test must see its own rows.
    cache.clear()


@pytest.fixture
def chain():
    leaf = category_chain("金融", "新浪财经", "新浪财经－国內")
    return [leaf.parent.parent, leaf.parent, leaf]


@pytest.fixture
def story(chain):
    return make_article(
        "景俊海到四平",
        original_title="景俊海：坚决拔掉硬钉子",
        categories=chain,
        tags=["疫情", "吉林"],
        author="新浪财经",
        editor="王珊珊",
        source="吉林省人民政府网",
        published_at=APRIL_7,
        lead_image_url="https://n.sinaimg.cn/lead.jpg",
        thumbnail_url="https://n.sinaimg.cn/thumb.jpg",
        excerpt="四月七日，省委书记到吉林市检查指导疫情防控工作。",
        body_html=(
            '<p>正文第一段。</p><figure><img src="https://n.sinaimg.cn/1.jpg" alt="" '
            'referrerpolicy="no-referrer" loading="lazy"><figcaption>邹乃硕 摄</figcaption>'
            "</figure>"
        ),
    )


def test_home_lists_latest_public_articles_with_thumbnail_excerpt_and_category(client, story):
    make_article("草稿文章", status="draft")
    make_article("很长的文章", excerpt="长" * 300, published_at=APRIL_7 - timedelta(days=400))
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    assert "草稿文章" not in response.text
    assert [a.title for a in response.context["articles"]] == ["景俊海到四平", "很长的文章"]
    url = story.get_absolute_url()
    assert f'<a href="{url}">景俊海到四平</a>' in response.text
    thumb = '<img src="https://n.sinaimg.cn/thumb.jpg" alt="" loading="lazy"'
    assert thumb + ' referrerpolicy="no-referrer"' in response.text
    # Only the deepest category of the chain is shown on a row.
    assert '<a class="category" href="/category/%E9%87%91%E8%9E%8D/' in response.text
    assert ">新浪财经－国內</a>" in response.text
    # The excerpt is cut by characters (Django's zh-hans ellipsis is three dots).
    assert '<p class="excerpt" lang="zh-Hans">' + "长" * 117 + "...</p>" in response.text
    # Links into the archive by year, with counts.
    assert '<a href="/2022/">2022 年</a> <span class="count">1</span>' in response.text
    assert '<a href="/2021/">2021 年</a> <span class="count">1</span>' in response.text
    assert (
        '<a href="/category/%E9%87%91%E8%9E%8D/">金融</a> <span class="count">1</span>'
        in response.text
    )


def test_article_page_shows_every_field(client, story, chain):
    older = make_article("上一篇文章", categories=chain, published_at=APRIL_7 - timedelta(hours=1))
    newer = make_article("下一篇文章", published_at=APRIL_7 + timedelta(hours=1))
    response = client.get(story.get_absolute_url())
    html = response.text
    assert response.status_code == 200
    assert "<title>景俊海到四平 · 新闻档案</title>" in html
    assert '<h1 lang="zh-Hans">景俊海到四平</h1>' in html
    assert "景俊海：坚决拔掉硬钉子" in html
    assert '<time datetime="2022-04-07T21:21:43+08:00">2022-04-07 21:21</time>' in html
    assert f'<a href="{story.author.get_absolute_url()}">新浪财经</a>' in html
    assert f'<a href="{story.editor.get_absolute_url()}">王珊珊</a>' in html
    assert f'<a href="{story.source.get_absolute_url()}">吉林省人民政府网</a>' in html
    for category in chain:  # every level of the breadcrumb links
        assert f'<a href="{category.get_absolute_url()}"' in html
    assert f'href="{reverse("articles:tag", kwargs={"slug": "疫情"})}">疫情</a>' in html
    assert '<img src="https://n.sinaimg.cn/lead.jpg" alt="" referrerpolicy="no-referrer">' in html
    body = BeautifulSoup(html, "html.parser").select_one(".article-body")
    image = body.select_one("figure img")
    assert (image["referrerpolicy"], image["loading"]) == ("no-referrer", "lazy")
    assert body.select_one("figure figcaption").text == "邹乃硕 摄"
    assert f'rel="prev" href="{older.get_absolute_url()}"' in html
    assert f'rel="next" href="{newer.get_absolute_url()}"' in html
    # Related: shares the category chain; the newer article shares nothing.
    related = html.split('id="related-heading"')[1]
    assert "上一篇文章" in related and "下一篇文章" not in related
    canonical = f"http://testserver{story.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:title" content="景俊海到四平">' in html
    assert '<meta property="og:image" content="https://n.sinaimg.cn/lead.jpg">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta property="og:description" content="{story.excerpt}">' in html


def test_related_articles_rank_shared_tags_then_nearness(client, story):
    far_two = make_article(
        "两个共同标签", tags=["疫情", "吉林"], published_at=APRIL_7 - timedelta(days=30)
    )
    near_one = make_article(
        "一个共同标签", tags=["疫情"], published_at=APRIL_7 + timedelta(hours=1)
    )
    far_one = make_article("较远的一个", tags=["吉林"], published_at=APRIL_7 - timedelta(days=60))
    make_article("无关", tags=["别的"], published_at=APRIL_7 - timedelta(minutes=5))
    make_article("草稿同标签", tags=["疫情", "吉林"], status="draft")
    html = client.get(story.get_absolute_url()).text
    related = BeautifulSoup(html, "html.parser").select(".related li a")
    assert [a.text for a in related] == [far_two.title, near_one.title, far_one.title]


def test_relative_lead_image_is_shared_as_an_absolute_url(client):
    article = make_article("相对头图", lead_image_url="/media/lead.jpg")
    html = client.get(article.get_absolute_url()).text
    assert '<meta property="og:image" content="http://testserver/media/lead.jpg">' in html
    assert '<meta name="twitter:image" content="http://testserver/media/lead.jpg">' in html


def test_original_title_hidden_when_same_and_lead_image_not_repeated(client):
    article = make_article(
        "同名",
        original_title="同名",
        lead_image_url="https://n.sinaimg.cn/x.jpg",
        body_html='<p>文</p><img src="https://n.sinaimg.cn/x.jpg" alt="">',
    )
    html = client.get(article.get_absolute_url()).text
    assert "原标题" not in html
    assert 'class="lead-image"' not in html


def test_body_is_rendered_as_html_but_titles_are_escaped(client):
    article = make_article("<b>标题</b>", slug="escaped", body_html="<p><strong>加粗</strong></p>")
    html = client.get(article.get_absolute_url()).text
    assert "&lt;b&gt;标题&lt;/b&gt;" in html
    assert "<p><strong>加粗</strong></p>" in html


def test_drafts_and_articles_outside_their_window_are_404_for_readers(client, chain):
    now = timezone.now()
    hidden = [
        make_article("草稿", status="draft", categories=chain, tags=["隐藏"]),
        make_article("过期", publish_end=now - timedelta(days=1), categories=chain, tags=["隐藏"]),
        make_article("未上线", publish_start=now + timedelta(hours=1), categories=chain),
        # Dated in the future: its page would be a 404, so no list may link to it either.
        make_article("明天的新闻", published_at=now + timedelta(days=1), categories=chain),
    ]
    for article in hidden:
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assert "找不到这个页面" in response.text
        assert 'class="site-header"' in response.text
    visible = make_article("公开", categories=chain, tags=["隐藏"])
    for url in (
        reverse("articles:home"),
        chain[0].get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "隐藏"}),
        reverse("articles:feed_rss"),
    ):
        html = client.get(url).text
        assert visible.title in html, url
        for article in hidden:
            assert article.title not in html, url


def test_staff_preview_drafts_privately(admin_client):
    draft = make_article("草稿预览", status="draft")
    scheduled = make_article("定时发布", publish_start=timezone.now() + timedelta(days=1))
    future = make_article("未来日期", published_at=timezone.now() + timedelta(days=1))
    for article in (draft, scheduled, future):
        response = admin_client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "预览：这篇文章尚未公开" in response.text
        assert '<meta name="robots" content="noindex">' in response.text
        assert "no-store" in response["Cache-Control"]
        assert "ETag" not in response


def test_article_page_answers_conditional_get(client, story):
    url = story.get_absolute_url()
    cache_version.bump()
    bumped = cache_version.changed_at()
    first = client.get(url)
    # The page shows its neighbours and the menu too: it changed when the site last did.
    assert first["Last-Modified"] == http_date(bumped.timestamp())
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    Article.objects.filter(pk=story.pk).update(edited_at=bumped + timedelta(days=1))
    cache_version.bump()  # what every editorial change does, in its transaction
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_category_page_includes_descendants_and_counts_subcategories(client, chain):
    root, middle, leaf = chain
    other_leaf = category_chain("金融", "新浪财经", "新浪财经－国际")
    make_article("国内新闻", categories=chain)
    make_article("国际新闻", categories=[root, middle, other_leaf])
    make_article("两边都有", slug="both", categories=[root, middle, leaf, other_leaf])
    make_article("草稿不算", status="draft", categories=chain)
    response = client.get(middle.get_absolute_url())
    html = response.text
    assert {a.title for a in response.context["articles"]} == {"国内新闻", "国际新闻", "两边都有"}
    assert (
        f'<a href="{leaf.get_absolute_url()}">新浪财经－国內</a> <span class="count">2</span>'
        in html
    )
    assert (
        f'<a href="{other_leaf.get_absolute_url()}">新浪财经－国际</a> <span class="count">2</span>'
        in html
    )
    assert f'<a href="{root.get_absolute_url()}">金融</a>' in html
    assert '<span class="kind">分类：</span>新浪财经</h1>' in html
    assert reverse("articles:category_feed_rss", kwargs={"path": middle.slug_path}) in html
    assert client.get("/category/金融/不存在/").status_code == 404


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("author", "author", "新浪财经"),
        ("editor", "editor", "王蒙"),
        ("source", "source", "吉林日报"),
    ],
)
def test_person_and_source_pages_list_only_their_articles(client, kind, field, value):
    mine = make_article("我的文章", **{field: value})
    make_article("别人的文章", **{field: "别人"})
    response = client.get(getattr(mine, field).get_absolute_url())
    assert [a.title for a in response.context["articles"]] == ["我的文章"]
    assert f"{value}</h1>" in response.text


def test_tag_page(client):
    make_article("有标签", tags=["人工智能"])
    make_article("无标签")
    response = client.get(reverse("articles:tag", kwargs={"slug": "人工智能"}))
    assert [a.title for a in response.context["articles"]] == ["有标签"]
    assert '<span class="kind">标签：</span>人工智能</h1>' in response.text
    assert client.get(reverse("articles:tag", kwargs={"slug": "没有"})).status_code == 404


def test_date_archives_count_per_period(client):
    make_article("四月七日", published_at=APRIL_7)
    make_article("四月七日晚", published_at=APRIL_7 + timedelta(hours=2))  # 23:21 Shanghai
    make_article("四月八日", published_at=APRIL_7 + timedelta(hours=11))  # 08:21 next day
    make_article("五月", published_at=APRIL_7 + timedelta(days=30))
    year = client.get(reverse("articles:archive_year", kwargs={"year": 2022})).text
    assert '<a href="/2022/04/">2022年4月</a> <span class="count">3</span>' in year
    assert '<a href="/2022/05/">2022年5月</a> <span class="count">1</span>' in year
    month = client.get(reverse("articles:archive_month", kwargs={"year": 2022, "month": 4})).text
    assert "<h1>2022年4月</h1>" in month
    assert '<a href="/2022/04/07/">2022年4月7日</a> <span class="count">2</span>' in month
    assert '<a href="/2022/04/08/">2022年4月8日</a> <span class="count">1</span>' in month
    assert 'rel="next" href="/2022/05/"' in month
    day = client.get(reverse("articles:archive_day", kwargs={"year": 2022, "month": 4, "day": 8}))
    assert [a.title for a in day.context["object_list"]] == ["四月八日"]
    assert client.get("/2019/").status_code == 404
    assert client.get("/2022/13/").status_code == 404


def test_lists_paginate_with_page_numbers_and_404_out_of_range(client, settings):
    settings.NEWSARCHIVE_PAGE_SIZE = 2
    for day in range(15):
        make_article(f"第{day}篇", published_at=APRIL_7 - timedelta(days=day), author="新浪财经")
    html = client.get("/?page=2").text
    assert '<span class="current" aria-current="page">2</span>' in html
    assert '<a href="?page=8">8</a>' in html
    assert '<a rel="prev" href="?page=1">' in html
    assert "第2篇" in html and "第1篇" not in html
    assert "第 2 页，共 8 页，15 篇文章" in html
    assert client.get("/2022/?page=9").status_code == 404
    assert client.get("/2022/04/?page=9").status_code == 404
    author_url = reverse("articles:author", kwargs={"slug": "新浪财经"})
    assert "第14篇" in client.get(author_url + "?page=8").text
    assert client.get(author_url + "?page=9").status_code == 404
    assert client.get("/?page=9").status_code == 404
    assert client.get("/?page=abc").status_code == 404
    # Far from both ends the range is elided rather than printing every page.
    html = client.get("/").text
    assert '<span class="ellipsis">…</span>' in html
    assert '<a href="?page=4">' not in html


def test_chinese_slugs_round_trip_through_reverse_resolve_and_the_client(client, chain):
    article = make_article("景俊海到四平", slug="景俊海到四平", categories=chain)
    url = reverse(
        "articles:detail", kwargs={"year": 2022, "month": 4, "day": 7, "slug": "景俊海到四平"}
    )
    assert url == article.get_absolute_url()
    assert resolve(unquote(url)).kwargs == {
        "year": 2022,
        "month": 4,
        "day": 7,
        "slug": "景俊海到四平",
    }
    assert client.get(url).status_code == 200
    assert client.get(unquote(url)).status_code == 200
    leaf_url = chain[-1].get_absolute_url()
    # slugify normalises the full-width dash (NFKC); the path stays Chinese.
    assert resolve(unquote(leaf_url)).kwargs == {"path": "金融/新浪财经/新浪财经-国內"}
    assert "景俊海到四平" in client.get(leaf_url).text


def test_error_pages_use_the_site_style(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.text
    html = render_to_string("500.html")  # rendered by Django with no request or database
    assert "服务器出错了" in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
    assert "Disallow: /admin/" in response.text


def test_public_pages_are_cached_whole_for_readers_but_not_for_staff(
    admin_client, story, django_assert_num_queries
):
    reader = Client()  # admin_client is the `client` fixture, signed in
    url = story.get_absolute_url()
    first = reader.get(url)
    assert "csrfmiddlewaretoken" not in first.text  # nothing per visitor in the page
    with django_assert_num_queries(1):  # the content version, nothing else
        cached = reader.get(url)
    assert cached.content == first.content
    # Browsers revalidate every time; the ETag answers them with a 304.
    assert cached["Cache-Control"] == "max-age=0, must-revalidate, public"
    assert reader.get(url, headers={"if-none-match": cached["ETag"]}).status_code == 304
    Article.objects.filter(pk=story.pk).update(title="改过的标题")
    assert "改过的标题" in admin_client.get(url).text
    assert "改过的标题" not in reader.get(url).text  # a bare update() is not an edit
    cache_version.bump()
    assert "改过的标题" in reader.get(url).text


def test_header_has_the_search_form_and_category_menu(client, story):
    html = client.get(reverse("articles:home")).text
    header = BeautifulSoup(html, "html.parser").select_one("header.site-header")
    form = header.select_one('form[role="search"]')
    assert (form["action"], form["method"]) == (reverse("articles:search"), "get")
    assert form.select_one('input[type="search"]')["name"] == "q"
    menu = [(a.text, a["href"]) for a in header.select(".category-nav a")]
    assert menu == [("首页", "/"), ("金融", story.categories.get(depth=0).get_absolute_url())]
