"""Image mirroring against a real picture host on 127.0.0.1 (tests/picture_server.py)."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.test import override_settings

from articles.mirroring.models import MirroredImage
from articles.models import Article
from tests.picture_server import PHOTO, PictureServer

pytestmark = pytest.mark.django_db

FAULTS = {
    "missing.jpg": "HTTP 404",
    "slow.jpg": "timed out",
    "loop.jpg": "redirect loop",
    "page.jpg": "not an image",
    "huge.jpg": "too large",
    "bomb.png": "decompression bomb",
    "truncated.jpg": "broken picture",
}


def post(title, pictures, headimg="", date="Thu, 07 Apr 2022 13:21:43 GMT"):
    figures = "\n".join(
        f'<div class="img_wrapper"><img src="{url}" alt="图{n}"><span class="img_descr">'
        f"图{n} 新华社记者 某某 摄</span></div>"
        for n, url in enumerate(pictures)
    )
    lines = ["---", f"title: {title}", "categories:", " - 测试", f"date: {date}"]
    if headimg:
        lines += [f"headimg: '{headimg}'", f"thumbnail: '{headimg}'"]
    return "\n".join([*lines, "---", f"<p>{title}的正文。</p>", figures, "<p>完。</p>", ""])


@pytest.fixture
def host():
    with PictureServer(slow_seconds=3) as server:
        yield server


@pytest.fixture
def mirroring(tmp_path):
    with override_settings(
        MEDIA_ROOT=tmp_path / "media",
        NEWSARCHIVE_MIRROR_ALLOW_PRIVATE=True,
        NEWSARCHIVE_MIRROR_TIMEOUT=1.0,
        NEWSARCHIVE_MIRROR_HOST_INTERVAL=0.0,
        NEWSARCHIVE_MIRROR_MAX_PIXELS=10_000_000,
    ):
        yield tmp_path / "media"


def import_posts(folder, posts):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in posts.items():
        (folder / name).write_text(text, encoding="utf-8")
    call_command("import_articles", str(folder), verbosity=0)


def mirror(*args):
    try:
        call_command("mirror_images", *args, verbosity=0)
    except CommandError as error:
        return str(error)
    return None


def rows():
    return {row.url: row for row in MirroredImage.objects.all()}


def snapshot():
    return sorted(MirroredImage.objects.values_list())


def test_every_fault_is_recorded_for_its_picture_and_the_rest_are_mirrored(
    tmp_path, host, mirroring
):
    good = [host.url("photo.jpg"), host.url("small.png"), host.url("referer.jpg")]
    bad = [host.url(name) for name in FAULTS]
    import_posts(
        tmp_path / "posts",
        {"good.md": post("好图", good, headimg=good[0]), "bad.md": post("坏图", bad)},
    )
    error = mirror("--all")
    assert error == f"{len(FAULTS)} picture(s) could not be mirrored"

    found = rows()
    for name, reason in FAULTS.items():
        row = found[host.url(name)]
        assert row.status == "failed" and reason in row.last_error, (name, row.last_error)
    photo = found[host.url("photo.jpg")]
    assert (photo.status, photo.format, photo.width, photo.height) == (
        "mirrored",
        "JPEG",
        1600,
        900,
    )
    assert photo.bytes == len(PHOTO) and len(photo.sha256) == 64
    assert (mirroring / photo.file).read_bytes() == PHOTO
    assert sorted(photo.renditions) == ["1280", "320", "640"]
    assert found[host.url("small.png")].renditions == {}  # narrower than every copy
    # Sina's rule: a Referer gets a 403. None was ever sent.
    assert found[host.url("referer.jpg")].status == "mirrored"
    assert host.referers == []

    # Re-running fetches nothing and changes nothing.
    before, requested = snapshot(), dict(host.requests)
    assert mirror("--all") is None
    assert snapshot() == before and dict(host.requests) == requested

    # --retry-failed asks again for the failed pictures only.
    assert mirror("--all", "--retry-failed") == f"{len(FAULTS)} picture(s) could not be mirrored"
    again = {path: host.requests[path] - requested.get(path, 0) for path in host.requests}
    assert {path for path, n in again.items() if n} == {f"/pictures/{name}" for name in FAULTS}
    assert all(row.attempts == 2 for url, row in rows().items() if url in bad)


def test_pages_feeds_and_lists_use_the_local_copy_and_failures_keep_the_remote_url(
    tmp_path, host, mirroring, client
):
    photo, missing = host.url("photo.jpg"), host.url("missing.jpg")
    import_posts(tmp_path / "posts", {"a.md": post("镜像", [photo, missing], headimg=photo)})
    article = Article.objects.get()
    cached = client.get(article.get_absolute_url()).content.decode()
    assert f'src="{photo}"' in cached  # the remote picture, now in the page cache
    mirror("--all")
    local = MirroredImage.objects.get(url=photo)

    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    images = page.select(".article-body img")
    assert [img["src"] for img in images] == [local.local_url, missing]
    first = images[0]
    assert (first["width"], first["height"], first["data-original-src"]) == ("1600", "900", photo)
    assert [part.split()[1] for part in first["srcset"].split(", ")] == [
        "320w",
        "640w",
        "1280w",
        "1600w",
    ]
    assert page.select_one('meta[property="og:image"]')["content"] == (
        "http://testserver" + local.local_url
    )
    assert photo in [a["href"] for a in page.select(".picture-sources a")]

    home = BeautifulSoup(client.get("/").content, "html.parser")
    thumb = home.select_one(".article-row .thumb img")
    assert thumb["src"] == "/media/" + local.renditions["320"]

    feed = ET.fromstring(client.get("/feeds/rss.xml").content)  # noqa: S314 (our own feed)
    content = feed.find(".//{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert f'src="http://testserver{local.local_url}"' in content
    assert f'src="{missing}"' in content

    served = client.get(local.local_url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PHOTO


def test_one_picture_used_twice_is_stored_once_and_outlives_an_article(tmp_path, host, mirroring):
    import_posts(
        tmp_path / "posts",
        {
            "one.md": post("一", [host.url("photo.jpg")]),
            "two.md": post("二", [host.url("copy.jpg")], date="Fri, 08 Apr 2022 10:00:00 GMT"),
        },
    )
    assert mirror("--all") is None
    first, second = MirroredImage.objects.order_by("url")
    assert first.sha256 == second.sha256 and first.file == second.file
    files = sorted(p.name for p in Path(mirroring).rglob("*") if p.is_file())
    assert len(files) == 4  # the original and its three copies, once
    Article.objects.get(title="一").delete()
    assert (mirroring / second.file).read_bytes() == PHOTO


def test_private_addresses_are_refused_unless_allowed(tmp_path, host, mirroring):
    import_posts(tmp_path / "posts", {"a.md": post("内网", [host.url("photo.jpg")])})
    with override_settings(NEWSARCHIVE_MIRROR_ALLOW_PRIVATE=False):
        assert mirror("--all") == "1 picture(s) could not be mirrored"
    row = MirroredImage.objects.get()
    assert "private or local address" in row.last_error
    assert host.requests == {}


def test_admin_shows_each_pictures_state_and_remirrors(tmp_path, host, mirroring, admin_client):
    photo, missing = host.url("photo.jpg"), host.url("missing.jpg")
    import_posts(tmp_path / "posts", {"a.md": post("后台", [photo, missing])})
    article = Article.objects.get()
    change = f"/admin/articles/article/{article.pk}/change/"
    status = BeautifulSoup(admin_client.get(change).content, "html.parser").select(
        ".picture-status li"
    )
    assert [li.get_text(" ", strip=True) for li in status] == [
        f"未镜像 {photo}",
        f"未镜像 {missing}",
    ]
    response = admin_client.post(
        "/admin/articles/article/",
        {"action": "remirror_pictures", "_selected_action": [article.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == "已镜像 1 张图片。"
    assert messages[1].startswith("1 张图片失败：") and "HTTP 404" in messages[1]
    status = BeautifulSoup(admin_client.get(change).content, "html.parser").select(
        ".picture-status li"
    )
    texts = [li.get_text(" ", strip=True) for li in status]
    assert texts == [f"已镜像 1600×900 JPEG {photo}", f"失败：HTTP 404 {missing}"]
    dashboard = BeautifulSoup(admin_client.get("/admin/").content, "html.parser")
    numbers = [d.get_text(" ", strip=True) for d in dashboard.select("#dashboard-pictures div div")]
    assert numbers == ["1 已镜像", "1 失败", "0 未镜像"]
