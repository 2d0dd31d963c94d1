"""Real crawler files of feeds beyond Sina: each feed's boilerplate goes, its metadata is
taken, and the ordinary lines around them stay.

Beside the tests of one file each, every fixture is held against what a reader of its page
saw, computed from the raw file with lxml alone: each visible line of the body that is not a
block of the site's (the small table below) is in the stored text, or is a 原标题/来源/编辑
line whose value became that field; each image outside those blocks is in the stored body.
"""

import html
import re
import unicodedata
from datetime import UTC, datetime

import lxml.html
import pytest
import yaml

from articles.content import sanitize
from articles.importing.cleaning import clean_body
from articles.importing.engines import FileContext
from articles.importing.pipeline import Failure, process_post

from .conftest import ROOT

FEEDS = ROOT / "tests" / "fixtures" / "crawler_feeds"
FILES = sorted(p for p in FEEDS.rglob("*.md") if p.name != "README.md")
MANIFEST = FEEDS / "README.md"

# What each feed (the crawler's `author`, by its start) puts around an article: the classes
# of its own blocks (a "blockquote:TEXT" is the quote holding TEXT), and what they say.
BOILERPLATE = {
    "新浪财经": (
        ("appendQr_wrap", "app-kaihu-qr", "artical-player-wrap"),
        ("尽在新浪财经APP", "3分钟极速开户", "视频加载中"),
    ),
    "199IT": (
        ("wp_rp_wrap", "adsbygoogle", "blockquote:199IT大数据导航"),
        ("更多阅读：", "199IT大数据导航", "199IT小程序"),
    ),
    "联合早报": (("article-microtransaction",), ("以继续阅读全文",)),
}
# Lines a reader saw that are the article's metadata, and the field that holds their value.
METADATA = (
    (re.compile(r"^原标题[：:](.+)$"), "original_title"),
    (re.compile(r"^(?:文章|本文)?[来稿]源[：:](.+)$"), "source"),
    (re.compile(r"责任编辑[：:]\s*(\S+)"), "editor"),
    (re.compile(r"^[（(](?:作者[：:].*?\s+)?编辑[：:](.+?)[）)]$"), "editor"),
)
BLOCKS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr",
    "table", "dt", "dd", "dl", "blockquote", "pre", "figure", "figcaption", "section", "br",
    "hr", "address", "caption", "iframe", "video", "picture", "img",
}  # fmt: skip
UNSEEN = {"style", "script", "noscript", "template", "svg", "input", "select", "textarea"}
SPACE = re.compile(r"[\s\u3000\xa0\u200b]+")
FILE_TIME = int(datetime(2021, 3, 22, 8, 0, tzinfo=UTC).timestamp() * 1e9)


def read(relative):
    path = FEEDS / relative
    return process_post(
        (relative, path.read_bytes(), "Asia/Shanghai", FileContext(mtime_ns=FILE_TIME))
    )


def plain(text):
    return SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def split_file(path):
    """(front matter, body) as the crawler wrote them: between and after the two '---'."""
    lines = path.read_text(encoding="utf-8").split("\n")
    fences = [i for i, line in enumerate(lines) if line.strip() == "---"][:2]
    return "\n".join(lines[fences[0] + 1 : fences[1]]), "\n".join(lines[fences[1] + 1 :])


def boilerplate_of(author):
    for feed, markers in BOILERPLATE.items():
        if author.startswith(feed):
            return markers
    return (), ()


def is_sites_block(element, classes):
    names = (element.get("class") or "").split()
    for marker in classes:
        tag, _, text = marker.partition(":")
        if text and element.tag == tag and text in element.text_content():
            return True
        if not text and marker in names:
            return True
    return False


def what_a_reader_saw(body, classes):
    """(visible lines, image addresses) of the article, and the images of the site's blocks.
    A browser shows no hidden element, breaks lines at blocks and <br>, and runs spaces."""
    lines, images, sites_images, current = [], [], set(), []

    def flush():
        if line := plain("".join(current)):
            lines.append(line)
        current.clear()

    def walk(element):
        if not isinstance(element.tag, str) or element.tag in UNSEEN:
            return
        if re.search(r"display\s*:\s*none", element.get("style") or ""):
            return
        if is_sites_block(element, classes):
            sites_images.update(img.get("src") for img in element.iter("img"))
            return
        if element.tag == "img" and not (element.get("src") or "").startswith("data:"):
            images.append(element.get("src") or element.get("data-src"))
        block = element.tag in BLOCKS
        if block:
            flush()
        current.append(element.text or "")
        for child in element:
            walk(child)
            current.append(child.tail or "")
        if block:
            flush()

    walk(lxml.html.fragment_fromstring(body, create_parent="div"))
    flush()
    return lines, [src for src in images if src], sites_images


def became_metadata(line, article):
    for pattern, field_name in METADATA:
        found = pattern.search(line)
        if found and getattr(article, field_name):
            value = plain(found.group(1))
            stored = plain(getattr(article, field_name))
            if value.startswith(stored) or stored.startswith(value):
                return True
    return False


def test_the_fixtures_cover_fifteen_feeds():
    articles = [read(str(p.relative_to(FEEDS))) for p in FILES]
    feeds = {article.author for article in articles if not isinstance(article, Failure)}
    assert len(FILES) >= 150
    assert len(feeds) >= 15
    imported = [a for a in articles if not isinstance(a, Failure)]
    assert len(imported) >= 0.99 * len(FILES)


def test_every_fixture_has_its_origin_in_the_manifest():
    rows = [line.split("|") for line in MANIFEST.read_text(encoding="utf-8").splitlines()]
    listed = {row[2].strip() for row in rows if len(row) == 6 and row[2].strip().endswith(".md")}
    here = {str(path.relative_to(FEEDS)) for path in FILES}
    assert listed == here
    assert "github.com/Rock-Candy-Tea/RSSHUB-PAGE" in MANIFEST.read_text(encoding="utf-8")
    for row in rows:
        if len(row) == 6 and row[2].strip().endswith(".md"):
            assert row[3].strip().startswith(("post/", "source/_posts/")), row
            assert re.fullmatch(r"[0-9a-f]{8,40}", row[4].strip()), row


def test_each_feed_of_the_boilerplate_table_has_fixtures_that_show_it():
    bodies = {}
    for path in FILES:
        front, body = split_file(path)
        author = re.search(r"^author:\s*(.*)$", front, re.M).group(1)
        bodies.setdefault(author, []).append(body)
    for feed, (_, texts) in BOILERPLATE.items():
        raw = "".join("".join(found) for author, found in bodies.items() if author.startswith(feed))
        for text in texts:
            assert text in raw, (feed, text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FEEDS))[:40])
def test_the_article_is_what_a_reader_of_its_page_saw(path):
    article = read(str(path.relative_to(FEEDS)))
    front, body = split_file(path)
    if isinstance(article, Failure):
        # only a file its own engine refuses too: front matter that is not YAML
        assert "not valid YAML" in article.error and article.line
        with pytest.raises(yaml.YAMLError):
            yaml.safe_load(front)
        return
    classes, texts = boilerplate_of(article.author)
    lines, images, sites_images = what_a_reader_saw(body, classes)
    text = plain(article.body_text)
    eaten = [line for line in lines if line not in text and not became_metadata(line, article)]
    assert eaten == []
    for marker in texts:
        assert marker not in article.body_html
    stored = lxml.html.fragment_fromstring(article.body_html or "<p></p>", create_parent="div")
    kept = {html.unescape(img.get("src")) for img in stored.iter("img")}
    assert [src for src in images if html.unescape(src) not in kept] == []
    for image in (article.lead_image_url, article.thumbnail_url):  # no QR code or ad
        assert image in kept or image not in sites_images
    assert {src for src, _, _ in article.images} <= kept
    # A 原标题 line opens an article, a 来源 line opens or closes it, an editor's line closes
    # it: there each is metadata, not text.
    title, source, *editor = (pattern for pattern, _ in METADATA)
    expected = [line for line in lines[:1] if title.search(line)]
    expected += [line for line in lines[:2] + lines[-4:] if source.search(line)]
    expected += [line for line in lines[-3:] if any(p.search(line) for p in editor)]
    for line in expected:
        assert line not in text and became_metadata(line, article), line


def test_sina_app_footer_goes_and_its_qr_code_is_not_the_lead_image():
    article = read("金融/新浪财经/新浪财经－国內/外交部：中美对话及时有益 加深互相理解.md")
    assert "海量资讯" not in article.body_html and "appendQr" not in article.body_html
    assert article.lead_image_url == "" and article.thumbnail_url == ""  # it was the QR code
    assert article.editor == "张玫"
    assert article.body_text.endswith("（总台央视记者 朱若梦 孔禄渊 杨弘杨）")


def test_sina_original_title_paragraph():
    article = read("金融/新浪财经/新浪财经－国內/银保监会启动人身保险行业佣金制度调研工作.md")
    assert article.original_title == "银保监会启动人身保险行业佣金制度调研工作"
    assert article.body_text.startswith("银保监会今天（22日）")


def test_closing_source_and_editor_lines_are_metadata_not_text():
    article = read("传统媒体/21 财经 - 频道/警惕！这49股将拉响退市警报.md")
    assert (article.source, article.editor) == ("东方财富网", "谢珍")
    assert "来源：东方财富网" not in article.body_text and "编辑" not in article.body_text
    assert "仅供投资者参考，不构成投资建议" in article.body_text  # an ordinary closing line stays
    assert "reward" not in article.body_html
    photo = read("传统媒体/21 财经 - 频道/当代年轻人熬夜图鉴：超3亿人正在失眠？.md")
    assert photo.editor == "李剑华" and len(photo.images) == 7 and photo.body_text == ""


def test_cnbeta_images_linked_to_themselves_leave_no_empty_link():
    article = read("新媒体/cnBeta - 最新/外媒：LG电子可能关闭智能手机业务.md")
    assert "<a" not in article.body_html.split("<figure>")[1].split("</figure>")[0]
    assert "<p><a" not in article.body_html and "<p></p>" not in article.body_html
    assert article.body_html.count("<figure>") == 1 and len(article.images) == 1
    assert '<a href="https://c.duomai.com/' in article.body_html  # a link in the text stays


def test_acm_icon_stays_inline_and_is_not_an_image_of_the_article():
    article = read("编程/ACM - 图灵奖获得者/2016.md")
    sources = [src for src, _, _ in article.images]
    assert "https://amturing.acm.org/images/dl.png" not in sources
    assert (
        sources[0] == article.lead_image_url == "https://amturing.acm.org/images/lg_aw/8087960.jpg"
    )
    icon = article.body_html.index("images/dl.png")
    assert article.body_html.rfind("<figure>", 0, icon) < article.body_html.rfind(
        "</figure>", 0, icon
    )
    # the portrait links to the winner's page: the link is kept, inside the figure
    assert article.body_html.startswith(
        '<figure><a href="https://amturing.acm.org/award_winners/berners-lee_8087960.cfm"'
    )


def test_199it_related_posts_ads_and_promotion_go():
    article = read(
        "新媒体/199IT - 标签/今日数据行业日报（20210315）『100个城市消费者满意度排名 杭州第一』.md"
    )
    for boilerplate in ("更多阅读", "adsbygoogle", "199IT大数据导航", "199IT小程序"):
        assert boilerplate not in article.body_html, boilerplate
    assert article.lead_image_url == "" and article.images == []
    assert article.body_html.count("<blockquote>") == 6
    assert article.body_html.endswith("</p>")


def test_invalid_date_falls_back_to_the_file_time_with_a_warning():
    article = read("传统媒体/3月21日新闻联播要闻精选.md")
    assert article.published_at == datetime(2021, 3, 22, 8, 0, tzinfo=UTC)
    assert article.notes == [
        "the front matter says date: Invalid Date",
        "warning: no date: used the file's time (2021-03-22 16:00)",
    ]


def test_a_file_hexo_refuses_too_fails_with_its_line():
    result = read("金融/@大道无形我有型 关注了股票 台积电.md")
    assert isinstance(result, Failure)
    assert result.line == 3 and "not valid YAML" in result.error


def test_sina_video_player_leaves_its_poster_and_none_of_its_controls():
    article = read("金融/新浪财经/新浪财经－国內/视频_一起来体验：数字人民币咋花？.md")
    for control in ("视频加载中", "自动播放", "向前", "向后", "play"):
        assert control not in article.body_text, control
    poster = "https://p1.ivideo.sina.com.cn/video/383/188/093/383188093_400_300.jpg"
    assert article.body_html.startswith(
        f'<figure><img alt="一起来体验：数字人民币咋花？" src="{poster}"'
    )
    assert article.lead_image_url == article.thumbnail_url == poster


def test_paywall_prompt_goes_and_the_text_before_it_stays():
    article = read("传统媒体/2月中以来全国首起本土冠病病例 西安一医务人员接种一个月后染疫.md")
    assert "订阅或登录" not in article.body_text
    assert article.body_text.endswith("实验室检验工作。")


def test_original_title_in_a_div_and_editor_in_a_span():
    people = read("传统媒体/500余件红色档案展现_建党百年 初心如磐_.md")
    assert people.original_title == "500余件红色档案展现“建党百年 初心如磐”"
    assert people.body_text.startswith("毛泽东同志曾说")
    zsnews = read("传统媒体/2021古镇灯博会新亮点——智慧灯杆示范路.md")
    assert zsnews.editor == "龙慧" and "责任编辑" not in zsnews.body_text
    oschina = read("编程/开源中国 - 资讯/WordPress 57.md")
    assert oschina.source == "Wordpress 简体中文网" and "稿源" not in oschina.body_text
    assert oschina.body_text.endswith("原文查看")  # the line before it stays


def test_two_images_in_one_paragraph_both_become_figures():
    cleaned = clean_body(
        '<div><p><img src="https://a.cn/1.png"><img src="https://a.cn/2.png"></p></div>'
    )
    assert [image.src for image in cleaned.images] == ["https://a.cn/1.png", "https://a.cn/2.png"]
    assert cleaned.html.count("<figure>") == 2 and "<p>" not in cleaned.html
    article = read("新媒体/cnBeta - 最新/因支付宝_无故扣款_被诉至榜首 天弘基金回应：已妥善处理.md")
    assert len(article.images) == 7 == article.body_html.count("<figure>")


def test_original_title_holding_the_source():
    cleaned = clean_body(
        "<div><p>\u3000\u3000原标题：景俊海到四平检查 来源：吉林日报</p>"
        "<p>\u3000\u3000正文。</p></div>"
    )
    assert (cleaned.original_title, cleaned.source) == ("景俊海到四平检查", "吉林日报")
    assert cleaned.html == "<p>正文。</p>"
    sentence = clean_body("<div><p>原标题：他说来源：不明的消息，不可信。</p><p>正文。</p></div>")
    assert sentence.source == "" and sentence.original_title == "他说来源：不明的消息，不可信。"


def test_whitespace_between_inline_elements_is_kept():
    cleaned = clean_body("<p><strong>开源</strong><span> </span><em>中国</em> 发布</p>")
    assert cleaned.html == "<p><strong>开源</strong> <em>中国</em> 发布</p>"


def test_account_opening_footer_goes_with_its_image():
    cleaned = clean_body(
        '<div><p>正文。</p><div class="app-kaihu-qr"><div class="app-kaihu-qr-left">'
        '<img src="https://n.sinaimg.cn/kaihu.png"></div><div>股民福利！</div></div></div>'
    )
    assert cleaned.html == "<p>正文。</p>"
    assert cleaned.boilerplate_images == {"https://n.sinaimg.cn/kaihu.png"}
    assert cleaned.images == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:30])
def test_cleaning_stored_output_again_changes_nothing(path):
    article = read(str(path.relative_to(FEEDS)))
    if isinstance(article, Failure):
        return
    again = clean_body(article.body_html)
    assert sanitize(again.html).strip() == article.body_html
    assert [(i.src, i.alt, i.caption) for i in again.images] == article.images
