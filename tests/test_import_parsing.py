"""The pipeline's plain functions on plain data: no database."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from articles.content import excerpt_of, html_to_text, sanitize
from articles.importing.cleaning import clean_body
from articles.importing.errors import PostError
from articles.importing.parsing import parse_categories, parse_date, parse_post, parse_tags
from articles.importing.pipeline import Failure, process_post
from articles.importing.reading import decode, raw_post_from_bytes, split_front_matter

SHANGHAI = ZoneInfo("Asia/Shanghai")


def build(text, name="post.md", zone="Asia/Shanghai"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return process_post((name, data, zone))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 07 Apr 2022 13:21:43 GMT", datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)),
        ("2022-04-07T21:21:43+08:00", datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)),
        ("2022-04-07T13:21:43Z", datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)),
        ("2022-04-07 21:21:43", datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)),
        ("2022/4/7 21:21:43", datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)),
        ("2022-04-07T21:21:43", datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)),
        (datetime(2022, 4, 7, 21, 21, 43), datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)),
        (date(2022, 4, 7), datetime(2022, 4, 6, 16, 0, tzinfo=UTC)),
    ],
)
def test_dates_explicit_zone_exact_naive_in_site_zone(value, expected):
    assert parse_date(value, SHANGHAI) == expected


def test_naive_dates_follow_the_configured_zone_not_the_machine():
    moment = parse_date("2022-04-07 12:00:00", ZoneInfo("America/New_York"))
    assert moment.astimezone(UTC) == datetime(2022, 4, 7, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["yesterday", "2022-13-45", "99999-01-01", "", "Thu, 99 Foo"])
def test_bad_dates_are_clear_errors(value):
    with pytest.raises(PostError, match="date"):
        parse_date(value, SHANGHAI)


def test_categories_follow_hexo():
    assert parse_categories(["金融", "新浪财经", "国内"]) == [("金融", "新浪财经", "国内")]
    assert parse_categories([["金融", "国内"], "科技"]) == [("金融", "国内"), ("科技",)]
    assert parse_categories("金融") == [("金融",)]
    assert parse_categories(None) == []
    with pytest.raises(PostError, match="levels deep"):
        parse_categories([str(n) for n in range(50)])
    with pytest.raises(PostError, match="category must be text"):
        parse_categories([{"a": 1}])


def test_tags_dedupe_case_insensitively():
    assert parse_tags(["AI", "ai", " 疫情 ", 2022]) == ["AI", "疫情", "2022"]
    assert parse_tags("单个") == ["单个"]
    with pytest.raises(PostError, match="tags"):
        parse_tags([f"t{n}" for n in range(10_000)])


def test_front_matter_fences():
    assert split_front_matter("\n---\ntitle: a\n---\nbody")[:3] == ("title: a\n", "yaml", 3)
    assert split_front_matter("title: a\n---\nbody")[1] == "yaml"  # no opening fence
    assert split_front_matter(';;;\n"title": "a"\n;;;\nbody')[1] == "json"
    assert split_front_matter('+++\ntitle = "a"\n+++\nbody')[1] == "toml"
    assert split_front_matter("just a body")[1] == ""
    with pytest.raises(PostError, match="never closed") as error:
        split_front_matter("\n\n---\ntitle: a\nbody")
    assert error.value.line == 3


@pytest.mark.parametrize(
    "text",
    [
        "---\nTitle: 标题\nDate: 2022-04-07 10:00:00\n---\n<p>正文</p>",
        ';;;\n"title": "标题", "date": "2022-04-07 10:00:00"\n;;;\n<p>正文</p>',
        '+++\ntitle = "标题"\ndate = 2022-04-07T10:00:00\n+++\n<p>正文</p>',
        "title: 标题\ndate: 2022-04-07 10:00:00\n---\n<p>正文</p>",
    ],
)
def test_every_front_matter_format_imports(text):
    article = build(text)
    assert not isinstance(article, Failure), article
    assert article.title == "标题"
    assert article.published_at.astimezone(UTC) == datetime(2022, 4, 7, 2, 0, tzinfo=UTC)


def test_encodings_bom_crlf_cr_and_gb18030():
    text = "---\ntitle: 编码\ndate: 2022-04-07\n---\n<p>中文正文</p>\n"
    for data in [
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.replace("\n", "\r\n").encode("utf-8"),
        text.replace("\n", "\r").encode("utf-8"),
        text.encode("gb18030"),
    ]:
        article = build(data)
        assert article.title == "编码", article
        assert article.body_text == "中文正文"
    assert decode(text.encode("gb18030"))[1] == "gb18030"


def test_binary_and_empty_files_fail_clearly():
    assert "binary file" in build(b"\x89PNG\x00\x00\x01").error
    assert build(b"").error == "empty file: no front matter and no text"


def test_yaml_errors_name_the_line():
    result = build("\n---\ntitle: ok\ndate: [unclosed\n---\nbody")
    assert isinstance(result, Failure)
    assert "not valid YAML" in result.error
    assert result.line in (4, 5)


def test_yaml_python_tags_are_refused():
    result = build("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\nbody")
    assert isinstance(result, Failure) and "not valid YAML" in result.error


def test_alias_bomb_is_refused_fast():
    bomb = "---\na: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(9)
    )
    result = build(bomb + "title: boom\n---\nbody")
    assert isinstance(result, Failure) and "alias bomb" in result.error


def test_duplicate_keys_are_an_error_with_line():
    result = build("---\ntitle: a\ndate: 2022-01-01\ntitle: b\n---\nbody")
    assert result.error == "duplicate key 'title'" and result.line == 4


def test_escaped_braces_are_restored():
    raw = raw_post_from_bytes("x.md", b"---\ntitle: 'a&#123;b&#125;'\n---\n")
    assert "a{b}" in raw.front_matter


def test_unknown_keys_kept_and_hexo_keys_mapped():
    article = build(
        "---\ntitle: T\ndate: 2022-01-01\npublished: false\ncomments: false\n"
        "permalink: /news/custom-slug/\nlayout: post\nmood: 好\nwhen: 2022-01-02\n---\n"
        "Intro text\n\n<!-- more -->\n\nRest **bold**\n"
    )
    assert article.published is False and article.comments_enabled is False
    assert article.slug == "custom-slug"
    assert article.extra == {"layout": "post", "mood": "好", "when": "2022-01-02"}
    assert article.excerpt == "Intro text"
    assert "<strong>bold</strong>" in article.body_html  # Markdown body rendered


def test_date_from_file_name_when_front_matter_has_none():
    article = build("---\ntitle: T\n---\nbody", name="2014-06-14-hexo-2-7-released.md")
    assert article.published_at == datetime(2014, 6, 14, tzinfo=SHANGHAI)
    failure = build("---\ntitle: T\n---\nbody", name="no-date.md")
    assert failure.error == "no date in the front matter or the file name, and no file time to use"


def test_editor_work_code_and_font_strong_and_indents():
    cleaned = clean_body(
        "<div><p>\u3000\u3000原标题：原来的</p><p>\u3000\u3000来源：新华社</p>"
        '<p>\u3000\u3000<font cms-style="strong-Bold">重点</font>正文。</p>'
        '<p class="article-editor">责任编辑：梁斌 SF055 </p></div>'
    )
    assert (cleaned.original_title, cleaned.source, cleaned.editor) == ("原来的", "新华社", "梁斌")
    assert cleaned.html == "<p><strong>重点</strong>正文。</p>"


def test_a_sentence_after_the_title_is_not_taken_for_an_outlet():
    cleaned = clean_body("<p>原标题：甲</p><p>今天，省委书记到四平检查工作。</p>")
    assert cleaned.source == ""
    assert "今天" in cleaned.html


def test_sanitizer_allowlist():
    html = sanitize(
        '<p style="color:red" onclick="x()">a<a href="javascript:alert(1)">j</a>'
        '<a href="https://example.com">ok</a><img src="https://i/x.jpg" onerror="x">'
        "<svg><script>alert(1)</script></svg><iframe src=x></iframe></p>"
    )
    soup = BeautifulSoup(html, "html.parser")
    assert [tag.name for tag in soup.find_all(True)] == ["p", "a", "a", "img"]
    first, second = soup.find_all("a")
    assert first.attrs == {"rel": ["nofollow", "noopener", "noreferrer"]}
    assert second.attrs == {
        "href": "https://example.com",
        "rel": ["nofollow", "noopener", "noreferrer"],
    }
    assert soup.img.attrs == {
        "src": "https://i/x.jpg",
        "loading": "lazy",
        "referrerpolicy": "no-referrer",
    }
    assert soup.p.attrs == {}


def test_excerpt_cuts_by_characters():
    text = "疫情防控" * 100
    assert len(excerpt_of(text)) == 121 and excerpt_of(text).endswith("…")
    assert excerpt_of("短句。") == "短句。"
    assert excerpt_of("一" * 80 + "。" + "二" * 100) == "一" * 80 + "。"


def test_html_to_text_keeps_paragraphs():
    assert (
        html_to_text(
            "<p>一&amp;二</p><figure><img src=x><figcaption>图</figcaption></figure><p>三<br>四</p>"
        )
        == "一&二\n\n图\n\n三\n\n四"
    )


def test_parse_post_with_aware_yaml_timestamp():
    raw = raw_post_from_bytes("x.md", b"---\ntitle: T\ndate: 2022-04-07 10:00:00+02:00\n---\n")
    post = parse_post(raw, SHANGHAI)
    assert post.published_at.utcoffset() == timedelta(hours=2)
    assert post.published_at.astimezone(UTC).hour == 8
