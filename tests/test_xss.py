"""Hostile HTML through the importer: nothing executable may reach any page, feed or admin view.

Every one of the 423 vectors goes into an article body; short ones also go into the title,
author, categories, tags, image alt and caption, and the 原标题/来源/责任编辑 lines. Pages are
judged with the shared browser-like checker (html5lib re-parse), never by substring.
"""

import html
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.content import safe_url
from articles.models import Article, ArticleImage, Author, Category, Editor, Source

from .conftest import SEEDS
from .importing import run_import, write
from .security_helpers import (
    ALL_TOKENS,
    VECTORS,
    kept,
    page_violations,
    site_signatures,
    violated,
)

pytestmark = pytest.mark.django_db

PER_FILE = 10  # body vectors per file: 43 files carry all 423
# Front-matter image URLs an importer must never pass through to <img src> or og:image.
HOSTILE_URLS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
]
# Sources must look like an outlet (short, no sentence punctuation) to be recognised at all.
SOURCE_PAYLOADS = [
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "<iframe srcdoc=x>",
    "</title><script>alert(1)",
]
BODY_TEMPLATE = """<div>
<p>\u3000\u3000原标题：{original}</p>
<p>\u3000\u3000来源：{source}</p>
<div class="img_wrapper"><img src="{image_src}" alt="{alt}">
<span class="img_descr">{caption}</span></div>
<p>\u3000\u3000正文第 {index} 篇。</p>
{vectors}
<p class="article-editor">责任编辑：{editor} </p>
</div>
"""


def short_vectors(limit):
    """Vectors short enough for name fields (author/category/tag names are capped at 200)."""
    return [v["input"] for v in VECTORS if len(v["input"].strip()) <= limit]


def hostile_post(index, names, image_src="https://n.sinaimg.cn/x.jpg"):
    """One post: PER_FILE body vectors plus a different short vector in every name field."""
    start = index * PER_FILE

    def pick(offset):
        return names[(index * 11 + offset) % len(names)]

    front = {
        "title": f"T{index} {pick(0)}",
        "date": f"2022-04-{1 + index % 28:02d} 10:{index % 60:02d}:00",
        "author": pick(1),
        "categories": [f"C{index % 3} {pick(2)}", pick(3)],
        "tags": [pick(4), pick(5), f"tag{index} {pick(6)}"],
        "headimg": HOSTILE_URLS[index % len(HOSTILE_URLS)],
        "thumbnail": HOSTILE_URLS[(index + 1) % len(HOSTILE_URLS)],
    }
    # JSON strings are YAML double-quoted scalars: every vector survives the front matter as is.
    lines = "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()
    )
    body = BODY_TEMPLATE.format(
        original=html.escape(pick(7)),
        source=html.escape(SOURCE_PAYLOADS[index % len(SOURCE_PAYLOADS)]),
        image_src=image_src,
        alt=html.escape(pick(8)),
        caption=html.escape(pick(9)),
        index=index,
        vectors="\n".join(
            f'<div class="v">{v["input"]}</div>' for v in VECTORS[start : start + PER_FILE]
        ),
        editor=html.escape(pick(10)),
    )
    return f"---\n{lines}\n---\n{body}"


@pytest.fixture
def baseline(client, admin_client):
    """The site's own form/meta elements, learned from pages of benign articles."""
    run_import(SEEDS)
    article = Article.objects.first()
    urls = [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.categories.first().get_absolute_url(),
        article.author.get_absolute_url(),
        reverse("articles:search") + "?q=吉林",
    ]
    signatures = set()
    for url in urls:
        signatures |= site_signatures(client.get(url).content.decode())
    for url in [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
    ]:
        page = admin_client.get(url)
        assert page.status_code == 200
        signatures |= site_signatures(page.content.decode())
    # The benign pages themselves pass: the check can only fail because of injected content.
    for url in urls:
        assert page_violations(client.get(url).content.decode(), signatures) == []
    Article.objects.all().delete()
    return signatures


@pytest.fixture
def hostile(tmp_path, baseline, settings):
    settings.NEWSARCHIVE_PAGE_SIZE = 1000  # every list on one page
    names = short_vectors(180)
    files = -(-len(VECTORS) // PER_FILE)
    for index in range(files):
        write(tmp_path, f"hostile-{index:03d}.md", hostile_post(index, names))
    _, err, failed = run_import(tmp_path)
    assert not failed, err
    assert Article.objects.count() == files
    return baseline


def check(client, url, signatures, problems):
    response = client.get(url)
    if response.status_code != 200:
        problems.append((url, response.status_code))
        return
    hits = page_violations(response.content.decode(), signatures)
    if hits:
        problems.append((url, hits))


def test_every_vector_reaches_the_store_and_its_fields(hostile):
    # The payloads really landed where they were aimed, or the page checks prove nothing.
    names = set(short_vectors(180))
    stored = {
        "authors": set(Author.objects.values_list("name", flat=True)),
        "editors": set(Editor.objects.values_list("name", flat=True)),
        "sources": set(Source.objects.values_list("name", flat=True)),
        "tags": set(Tag.objects.values_list("name", flat=True)),
        "alts": set(ArticleImage.objects.values_list("alt", flat=True)),
        "captions": set(ArticleImage.objects.values_list("caption", flat=True)),
        "originals": set(Article.objects.values_list("original_title", flat=True)),
    }
    hostile_values = {
        field: {v for v in values if any(c in v for c in "<>\"'")}
        for field, values in stored.items()
    }
    for field, values in hostile_values.items():
        assert len(values) >= 5, (field, values)
    distinct = set().union(*stored.values()) & {" ".join(n.split()) for n in names} | (
        set().union(*stored.values()) & names
    )
    assert len(distinct) >= 100
    assert set(Source.objects.values_list("name", flat=True)) >= set(SOURCE_PAYLOADS)
    assert Category.objects.count() >= 40


def test_public_pages_carry_nothing_executable(client, hostile):
    signatures = hostile
    problems = []
    urls = {reverse("articles:home")}
    for article in Article.objects.all():
        urls.add(article.get_absolute_url())
        local = article.published_at
        urls.add(reverse("articles:archive_year", args=[local.year]))
    # Public names only: the baseline's names outlive its deleted articles, and are 404s.
    urls |= {c.get_absolute_url() for c in Category.objects.public()}
    tags = Article.objects.public_tags()
    urls |= {reverse("articles:tag", kwargs={"slug": t.slug}) for t in tags}
    for model in (Author, Editor, Source):
        urls |= {item.get_absolute_url() for item in model.objects.public()}
    for article in Article.objects.all()[:5]:
        urls.add(article.get_absolute_url().rsplit("/", 2)[0] + "/")  # day archive
        urls.add(article.get_absolute_url().rsplit("/", 3)[0] + "/")  # month archive
    for url in sorted(urls):
        check(client, url, signatures, problems)
    assert problems == []
    assert len(urls) > 200


def test_search_results_and_reflected_queries_carry_nothing_executable(client, hostile):
    problems = []
    queries = ["alert", "script", "onerror", "javascript", "T1", "正文", "img"]
    queries += [v["input"][:60] for v in VECTORS[::20]]  # the query itself is reflected
    for q in queries:
        response = client.get(reverse("articles:search"), {"q": q})
        assert response.status_code == 200
        hits = page_violations(response.content.decode(), hostile)
        if hits:
            problems.append((q, hits))
    assert problems == []
    found = client.get(reverse("articles:search"), {"q": "alert"})
    assert found.context["page_obj"].paginator.count > 10


def feed_problems(xml_bytes):
    """Feed readers render an item's description/content/summary as HTML: judge those like a
    page. (The channel's own description and Atom's subtitle are plain text by spec.)"""
    root = ET.fromstring(xml_bytes)  # noqa: S314 - our own feed; it must be well-formed
    problems, entries = [], 0
    items = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in {"item", "entry"}]
    entries = len(items)
    html_parts = {
        id(child)
        for item in items
        for child in item
        if child.tag.rsplit("}", 1)[-1] in {"description", "summary", "content", "encoded"}
    }
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if id(element) in html_parts and element.text:
            hits = violated(element.text, ALL_TOKENS)
            if hits:
                problems.append((name, hits, element.text[:80]))
        for attribute in ("href", "src"):
            value = element.get(attribute, "")
            if value and urlsplit(value.strip()).scheme not in {"http", "https"}:
                problems.append((name, attribute, value))
        text = (element.text or "").strip()
        is_url = name in {"link", "guid", "id", "url"} and text
        if is_url and urlsplit(text).scheme not in {"http", "https", "tag"}:
            problems.append((name, text))
    return problems, entries


def test_feeds_and_sitemap_carry_nothing_executable(client, hostile):
    urls = [reverse("articles:feed_rss"), reverse("articles:feed_atom")]
    for category in Category.objects.public()[:10]:
        urls.append(reverse("articles:category_feed_rss", kwargs={"path": category.slug_path}))
        urls.append(reverse("articles:category_feed_atom", kwargs={"path": category.slug_path}))
    for tag in Article.objects.public_tags()[:10]:
        urls.append(reverse("articles:tag_feed_atom", kwargs={"slug": tag.slug}))
    for author in Author.objects.public()[:10]:
        urls.append(reverse("articles:author_feed_rss", kwargs={"slug": author.slug}))
    problems, total = [], 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found, entries = feed_problems(response.content)
        problems += [(url, *p) for p in found]
        total += entries
    assert problems == []
    assert total >= 40

    sitemap = client.get(reverse("sitemap"))
    assert sitemap.status_code == 200
    locations = [
        element.text
        for element in ET.fromstring(sitemap.content).iter()  # noqa: S314
        if element.tag.endswith("}loc")
    ]
    assert len(locations) >= Article.objects.count()
    assert all(urlsplit(loc).scheme == "http" for loc in locations)


def test_admin_changelist_and_change_forms_carry_nothing_executable(admin_client, hostile):
    problems = []
    urls = [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_changelist") + "?q=alert",
        reverse("admin:articles_author_changelist"),
        reverse("admin:articles_category_changelist"),
        reverse("admin:articles_editor_changelist"),
        reverse("admin:articles_source_changelist"),
    ]
    urls += [reverse("admin:articles_article_change", args=[a.pk]) for a in Article.objects.all()]
    for url in urls:
        check(admin_client, url, hostile, problems)
    assert problems == []


def test_hostile_image_urls_never_reach_a_page(client, hostile):
    # headimg/thumbnail/body image src are URLs an editor never vetted: only http(s) may stay.
    for article in Article.objects.all():
        for url in (article.lead_image_url, article.thumbnail_url):
            assert url == "" or urlsplit(url).scheme in {"http", "https"}, url


def test_a_hostile_first_body_image_never_becomes_the_lead_image(client, tmp_path, hostile):
    write(
        tmp_path / "one",
        "lead.md",
        hostile_post(0, short_vectors(180), image_src="javascript:alert(1)"),
    )
    run_import(tmp_path / "one")
    article = Article.objects.get(source_path="lead.md")
    page = client.get(article.get_absolute_url()).content.decode()
    assert page_violations(page, hostile, ["javascript:"]) == []
    assert not article.images.filter(src__startswith="javascript").exists()


# Real news markup that must come through in meaning: text, images, links, lists, tables.
BENIGN = [
    {
        "input": '<p>据<a href="https://www.gov.cn/xinwen/2022-04/07/content_1.htm" '
        'title="中国政府网">中国政府网</a>消息，<strong>4月7日</strong>召开会议。</p>',
        "must_keep_text": ["据中国政府网消息，4月7日召开会议。"],
        "must_keep_markup": [
            "<a",
            "href=https://www.gov.cn/xinwen/2022-04/07/content_1.htm",
            "<strong",
        ],
    },
    {
        "input": '<div class="img_wrapper"><img src="https://n.sinaimg.cn/news/a.jpg" alt="会场">'
        '<span class="img_descr">会议现场（新华社记者 摄）</span></div><p>正文。</p>',
        "must_keep_text": ["会议现场（新华社记者 摄）", "正文。"],
        "must_keep_markup": ["<img", "src=https://n.sinaimg.cn/news/a.jpg", "alt=会场", "<figure"],
    },
    {
        "input": "<p>要点如下：</p><ol><li>稳增长</li>"
        "<li>保就业<ul><li>高校毕业生</li></ul></li></ol>",
        "must_keep_text": ["稳增长", "保就业", "高校毕业生"],
        "must_keep_markup": ["<ol", "<ul", "<li"],
    },
    {
        "input": "<table><caption>一季度数据</caption><thead><tr><th>指标</th><th>同比</th></tr>"
        '</thead><tbody><tr><td>GDP</td><td>4.8%</td></tr><tr><td colspan="2">注：初步核算'
        "</td></tr></tbody></table>",
        "must_keep_text": ["一季度数据", "指标", "同比", "GDP", "4.8%", "注：初步核算"],
        "must_keep_markup": ["<table", "<caption", "<th", "<td", "colspan=2"],
    },
    {
        "input": "<h2>专家解读</h2><blockquote><p>“这是一个信号。”</p></blockquote>"
        "<p>H<sub>2</sub>O 与 10<sup>3</sup>；A &amp; B &lt; C</p><pre><code>x = 1</code></pre>",
        "must_keep_text": ["专家解读", "“这是一个信号。”", "H2O与103；A&B<C", "x = 1"],
        "must_keep_markup": ["<h2", "<blockquote", "<sub", "<sup", "<pre", "<code"],
    },
    {
        "input": '<p>联系<a href="mailto:news@example.com">编辑部</a>，'
        '或访问 <a href="http://example.com/a?b=1&amp;c=2">旧站</a>。</p><hr><p><em>完</em></p>',
        "must_keep_text": ["联系编辑部，或访问旧站。", "完"],
        "must_keep_markup": ["href=mailto:news@example.com", "href=http://example.com/a?b=1&c=2"],
    },
]


def test_benign_news_html_survives_in_meaning(client, tmp_path, db):
    for index, case in enumerate(BENIGN):
        text = f"---\ntitle: 正常新闻{index}\ndate: 2022-05-0{index + 1} 08:00:00\n"
        write(tmp_path / "benign", f"benign-{index}.md", text + "---\n" + case["input"])
    _, err, failed = run_import(tmp_path / "benign")
    assert not failed, err
    lost = {}
    for index, case in enumerate(BENIGN):
        article = Article.objects.get(source_path=f"benign-{index}.md")
        page = client.get(article.get_absolute_url())
        assert page.status_code == 200
        assert article.body_html in page.content.decode()  # the page shows what was stored
        missing = kept(article.body_html, case)
        if missing:
            lost[index] = (missing, article.body_html)
    assert lost == {}


def test_control_characters_never_reach_a_feed(client, tmp_path, db):
    # A title and body with C0 controls (raw and as YAML escapes) once made every feed a 500.
    text = '---\ntitle: "控制\\u0001字符\\u000b标题"\ndate: 2022-04-07\n---\n<p>正文\x02\x1f。</p>'
    write(tmp_path, "controls.md", text)
    _, err, failed = run_import(tmp_path)
    assert not failed, err
    article = Article.objects.get()
    assert (article.title, article.body_text) == ("控制字符标题", "正文。")
    for name in ("articles:feed_rss", "articles:feed_atom"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "控制字符标题" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "kept_url"),
    [
        ("https://n.sinaimg.cn/a.jpg", "https://n.sinaimg.cn/a.jpg"),
        ("  http://example.com/a.jpg ", "http://example.com/a.jpg"),
        ("/images/a.jpg", "/images/a.jpg"),
        ("java\tscript:alert(1)", ""),
        ("\x01 JAVASCRIPT:alert(1)", ""),
        ("data:image/svg+xml,<svg onload=alert(1)>", ""),
        ("vbscript:msgbox(1)", ""),
        ("mailto:a@example.com", ""),
    ],
)
def test_safe_url_keeps_only_http_and_relative_urls(url, kept_url):
    assert safe_url(url) == kept_url
