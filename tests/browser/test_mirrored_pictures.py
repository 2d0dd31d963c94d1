"""After mirroring, the seeds' article pages show every picture with no request off this site.

The seeds' pictures live on Sina's image host, which this machine cannot reach: the test
serves the same paths from a local picture host (tests/picture_server.py) by pointing the
seeds' image URLs at it, mirrors them, and then lets Chromium reach only the live server.
"""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from articles.models import Article
from tests.conftest import SEEDS
from tests.picture_server import PictureServer

SINA = re.compile(r"https://n\.sinaimg\.cn/([^\"'\s]+?)\.(jpg|png)")


@pytest.fixture
def mirrored_seeds(transactional_db, tmp_path):
    with PictureServer() as host, override_settings(
        MEDIA_ROOT=tmp_path / "media",
        NEWSARCHIVE_MIRROR_ALLOW_PRIVATE=True,
        NEWSARCHIVE_MIRROR_HOST_INTERVAL=0.0,
    ):
        posts = tmp_path / "posts"
        posts.mkdir()
        for seed in SEEDS.iterdir():
            text = seed.read_text(encoding="utf-8")
            assert SINA.search(text), f"{seed.name} has no Sina picture"
            # photo* answers a real 1600x900 JPEG, small* a PNG: one of each kind per seed.
            local = SINA.sub(
                lambda m: f"{host.base}/{'photo' if m.group(2) == 'jpg' else 'small'}/"
                f"{m.group(1)}.{m.group(2)}",
                text,
            )
            (posts / seed.name).write_text(local, encoding="utf-8")
        call_command("import_articles", str(posts), "--mirror-images", verbosity=0)
        yield list(Article.objects.order_by("pk"))


def test_seed_pages_show_every_picture_from_the_archive_alone(mirrored_seeds, live_server, page):
    offsite = []

    def only_this_site(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    page.context.unroute("**/*")
    page.context.route("**/*", only_this_site)
    pictures = 0
    for article in mirrored_seeds:
        page.goto(live_server.url + article.get_absolute_url())
        page.wait_for_load_state("networkidle")
        shown = page.eval_on_selector_all(
            "main img",
            "imgs => imgs.map(i => [i.currentSrc, i.complete && i.naturalWidth > 0])",
        )
        assert shown, f"no picture on {article.title}"
        broken = [src for src, ok in shown if not ok]
        assert broken == [], f"{article.title}: pictures not shown {broken}"
        assert all(src.startswith(live_server.url + "/media/") for src, _ in shown), shown
        pictures += len(shown)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    thumbs = page.eval_on_selector_all(
        ".article-row .thumb img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"
    )
    assert thumbs and all(thumbs)
    assert offsite == []
    assert pictures >= 5
