"""Real crawler files of feeds beyond Sina: each feed's boilerplate goes, its metadata is
taken, and the ordinary lines around them stay."""

from datetime import UTC, datetime

import pytest

from articles.content import sanitize
from articles.importing.cleaning import clean_body
from articles.importing.engines import FileContext
from articles.importing.pipeline import Failure, process_post

from .conftest import ROOT

FEEDS = ROOT / "tests" / "fixtures" / "crawler_feeds"
FILES = sorted(p for p in FEEDS.rglob("*.md") if p.name != "README.md")


def read(relative):
    path = FEEDS / relative
    mtime = int(datetime(2021, 3, 22, 8, 0, tzinfo=UTC).timestamp() * 1e9)
    return process_post((relative, path.read_bytes(), "Asia/Shanghai", FileContext(mtime_ns=mtime)))


def test_the_fixtures_cover_fifteen_feeds():
    articles = [read(str(p.relative_to(FEEDS))) for p in FILES]
    feeds = {article.author for article in articles if not isinstance(article, Failure)}
    assert len(FILES) >= 19
    assert len(feeds) >= 14  # plus 雪球, whose one file its engine refuses too


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
