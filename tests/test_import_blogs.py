"""Whole real blogs imported: every post an engine publishes is archived, old links answer 301."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, ImportRun, OldAddress

from .importing import run_import
from .test_import_engines import SITES

pytestmark = pytest.mark.django_db


def test_every_fixture_post_imports_and_says_what_was_inferred():
    out, err, failed = run_import(*SITES)
    posts = [p for site in SITES for p in site.rglob("*") if p.suffix in (".md", ".markdown")]
    assert len(posts) >= 300
    assert not failed, err
    assert err == ""
    assert out.splitlines()[-1] == (
        f"{len(posts)} files: {len(posts)} created, 0 updated, 0 unchanged, 0 kept, 0 failed"
    )
    assert Article.objects.count() == len(posts)

    mojombo = "_posts/2008-10-18-how-i-turned-down-300k.md"
    note = "no date: took 2008-10-18 from the file name"
    assert f"created: {mojombo} ({note})" in out.splitlines()
    run = ImportRun.objects.get()
    assert f"{mojombo}: {note}" in run.warnings
    noted = [line for line in out.splitlines() if line.endswith(")")]
    assert len(run.warnings) == len(noted) > 50

    drafts = set(Article.objects.drafts().values_list("source_path", flat=True))
    assert "content/post/reverse-vpn-for-all-the-things.md" in drafts
    assert "content/posts/2020/neovim-versus-the-28-megabyte-xml-file/index.md" in drafts
    published = set(Article.objects.published().values_list("source_path", flat=True))
    assert "content/post/the-art-of-automation.md" in published

    out, _, failed = run_import(*SITES, "--checksum")
    assert not failed
    assert out.splitlines()[-1] == (
        f"{len(posts)} files: 0 created, 0 updated, {len(posts)} unchanged, 0 kept, 0 failed"
    )


def test_old_addresses_redirect_follow_edits_and_are_editable(client, admin_client):
    run_import(*SITES)
    addresses = OldAddress.objects.select_related("article")
    assert addresses.count() >= Article.objects.count()
    public = set(Article.objects.published().values_list("pk", flat=True))
    redirected = 0
    for n, address in enumerate(addresses):
        response = client.get(address.path)
        target = address.article.get_absolute_url()
        if address.article_id in public and address.path == target:
            assert response.status_code == 200  # Hexo's default permalink is our own address
        elif address.article_id in public:
            assert (response.status_code, response["Location"]) == (301, target), address.path
            redirected += 1
            if n % 20 == 0:
                assert client.get(target).status_code == 200
        else:  # a draft stays out of sight, even through its old address
            assert response.status_code == 404, address.path
    assert redirected > 250

    address = OldAddress.objects.get(path="/news/2014/06/14/hexo-2-7-released/")
    article = address.article
    article.slug = "hexo-27"
    article.save()
    response = client.get("/news/2014/06/14/hexo-2-7-released")  # without the slash, too
    assert response.status_code == 301
    assert response["Location"].endswith("/hexo-27/")

    address = OldAddress.objects.get(path="/2008/10/18/how-i-turned-down-300k.html")
    url = reverse("admin:articles_oldaddress_change", args=[address.pk])
    response = admin_client.post(url, {"path": "/legacy/300k.html", "article": address.article_id})
    assert response.status_code == 302
    assert Client().get("/legacy/300k.html").status_code == 301
    assert Client().get("/2008/10/18/how-i-turned-down-300k.html", follow=True).status_code == 404
    listing = admin_client.get(reverse("admin:articles_oldaddress_changelist"), {"q": "legacy"})
    assert re.search(r"/legacy/300k\.html", listing.content.decode())
