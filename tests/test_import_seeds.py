"""The two real crawled files, imported through the command, every field checked exactly."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from articles.models import Article

from .conftest import SEEDS

pytestmark = pytest.mark.django_db

LEFTOVERS = ["appendQr", "<style", "<!--", "责任编辑", "原标题", "&#123;", "{border"]


@pytest.fixture
def seeds():
    call_command("import_articles", str(SEEDS), verbosity=0)
    return {a.source_path: a for a in Article.objects.all()}


def test_seed_000_every_field(seeds):
    article = seeds["000_72b6288f2e261dc3.txt"]
    assert article.title == "吉林省委书记景俊海：坚决拔掉硬钉子啃掉硬骨头 一鼓作气实现疫情防控目标"
    assert article.original_title == "景俊海：坚决拔掉硬钉子啃掉硬骨头 一鼓作气实现疫情防控目标"
    assert article.source.name == "吉林省人民政府网"
    assert article.editor.name == "王珊珊"
    assert article.author.name == "新浪财经"
    assert article.published_at == datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC)
    assert article.comments_enabled is False
    assert article.status == "published"
    assert [c.path for c in article.categories.order_by("depth")] == [
        "金融",
        "金融 / 新浪财经",
        "金融 / 新浪财经 / 新浪财经－国內",
    ]
    assert article.lead_image_url == (
        "https://n.sinaimg.cn/finance/crawl/664/w550h114/20220407/"
        "aa10-2d109e8ef61881093181aa04a0182493.png"
    )
    assert article.thumbnail_url == article.lead_image_url
    images = list(article.images.all())
    assert len(images) == 3
    assert [i.src.rsplit("/", 1)[1] for i in images] == [
        "aa10-2d109e8ef61881093181aa04a0182493.png",
        "fc56-33565baf6c421f659dc026e67a3d0ff5.jpg",
        "b69d-c3df91fe5af687dbab14652225b9d19d.jpg",
    ]
    assert images[0].caption == ""
    assert images[1].caption.endswith("江湾馨城小区实地检查小区管控、全员检测等情况。邹乃硕 摄")
    assert images[2].caption.endswith("在北华大学实地检查高校疫情防控措施落实情况。邹乃硕 摄")
    for leftover in LEFTOVERS:
        assert leftover not in article.body_html
    assert "343233024.png" not in article.body_html  # the footer QR code
    assert "吉林省人民政府网" not in article.body_html
    assert "\u3000" not in article.body_html
    assert article.body_html.count('referrerpolicy="no-referrer"') == 3
    assert article.body_html.count('loading="lazy"') == 3
    assert article.body_html.count("<figcaption>") == 2
    assert article.body_text.startswith("4月7日，省委书记景俊海，省委副书记、省长韩俊一起到吉林市")
    assert article.body_text.endswith("高广滨、张焕秋、郭乃硕、安桂武参加有关活动。（黄鹭 于小博）")
    assert article.excerpt.startswith("4月7日，省委书记景俊海")
    assert len(article.excerpt) <= 121
    assert article.slug == "吉林省委书记景俊海坚决拔掉硬钉子啃掉硬骨头-一鼓作气实现疫情防控目标"
    assert article.raw.text.startswith("\n---\ntitle: '吉林省委书记景俊海")
    assert len(article.content_hash) == 64
    assert article.imported_at is not None and article.edited_at is None


def test_seed_002_every_field(seeds):
    article = seeds["002_8ef881cf10f448ae.txt"]
    assert article.title == "吉林省委书记景俊海到四平伊通县检查指导疫情防控工作"
    assert article.original_title == "景俊海到四平伊通县检查指导疫情防控工作"
    assert article.source.name == "吉林日报"
    assert article.editor.name == "王蒙"
    assert article.author.name == "新浪财经"
    assert article.published_at == datetime(2022, 3, 23, 12, 46, 6, tzinfo=UTC)
    assert article.images.count() == 2
    assert [i.caption for i in article.images.all()] == ["", ""]
    for leftover in [*LEFTOVERS, "来源："]:
        assert leftover not in article.body_html
    assert article.body_html.startswith("<figure><img")


def test_both_seeds_share_authors_and_categories(seeds):
    a, b = seeds.values()
    assert a.author_id == b.author_id
    assert set(a.categories.values_list("pk", flat=True)) == set(
        b.categories.values_list("pk", flat=True)
    )
