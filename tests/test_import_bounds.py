"""What one file may make is bounded (NEWSARCHIVE_MAX_* settings), what was stripped from a
file is reported at verbosity 2 and kept in its ImportRun, and hostile titles still give
feeds that parse as XML."""

import shutil

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from lxml import etree
from taggit.models import Tag

from articles.models import Article, ArticleImage, Author, Category, ImportRun

from .conftest import ROOT
from .importing import post, run_import, write

pytestmark = pytest.mark.django_db

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
FRONT = "---\ntitle: {title}\ndate: 2022-04-07 10:00:00\n{more}---\n<p>正文。</p>\n"


def front(title, more=""):
    return FRONT.format(title=title, more=more)


def amplified():
    """Twelve aliases (under the 20-alias cap), 0.9 MB of file: 153 MB once expanded."""
    text = '---\ntitle: 放大\ndate: 2022-04-07 10:00:00\na: &a "' + "放" * 300_000 + '"\n'
    names = "bcdefghijk"
    for prev, name in zip("a" + names, names[:3], strict=False):
        text += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}]\n"
    return text + "payload: [*d, *d, *d, *d]\n---\n<p>正文。</p>\n"


CASES = {
    # name -> (content, the whole failure line after "failed: NAME: ")
    "categories-2100-roots.md": (
        front("两千个根分类", "categories: [" + ", ".join(f"[根{n}]" for n in range(2100)) + "]\n"),
        "2100 category hierarchies (limit 50)",
    ),
    "yaml-alias-amplification.md": (
        amplified(),
        "front matter expands to 102,300,504 characters and nodes (limit 1,000,000); "
        "refusing a possible alias bomb",
    ),
    "extra-150-keys.md": (
        front("很多键", "".join(f"key{n}: {n}\n" for n in range(150))),
        "150 front matter keys of no known meaning (limit 100)",
    ),
    "extra-200k-chars.md": (
        front("很大的值", "note: " + "大" * 200_000 + "\n"),
        "front matter keys of no known meaning take 200,012 characters as JSON (limit 100,000)",
    ),
}


def test_files_past_a_limit_fail_alone_and_store_nothing(tmp_path):
    write(tmp_path, "good.md", post(title="好文章"))
    for name, (content, _) in CASES.items():
        write(tmp_path, name, content)
    _, err, failed = run_import(tmp_path)
    assert failed
    lines = sorted(line for line in err.splitlines() if line.startswith("failed: "))
    wanted = [f"failed: {name}: {reason}" for name, (_, reason) in CASES.items()]
    wanted[1] = wanted[1].replace(".md: ", ".md:2: ")  # the front matter's first line
    assert lines == sorted(wanted)
    assert err.endswith(f"{len(CASES)} file(s) failed to import")
    assert list(Article.objects.values_list("title", flat=True)) == ["好文章"]
    assert sorted(Category.objects.values_list("path", flat=True)) == [
        "金融",
        "金融 / 新浪财经",
        "金融 / 新浪财经 / 国内",
    ]
    run = ImportRun.objects.get()
    assert (run.created, run.failed) == (1, len(CASES))


def test_the_amplified_file_is_refused_in_a_worker_too(tmp_path):
    write(tmp_path, "bomb.md", amplified())
    _, err, _ = run_import(tmp_path, "--jobs", "2")
    assert "failed: bomb.md:2: front matter expands to 102,300,504" in err
    assert Article.objects.count() == 0


@override_settings(NEWSARCHIVE_MAX_TAGS=3, NEWSARCHIVE_MAX_CATEGORY_DEPTH=2)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_limits_are_settings_and_reach_the_workers(tmp_path, jobs):
    write(tmp_path, "four-tags.md", front("四个标签", "tags: [a, b, c, d]\n"))
    write(tmp_path, "three-levels.md", front("三层", "categories: [a, b, c]\n"))
    write(tmp_path, "fine.md", front("正好", "tags: [a, b, c]\ncategories: [a, b]\n"))
    _, err, failed = run_import(tmp_path, "--jobs", jobs)
    assert failed
    assert "failed: four-tags.md: 4 tags (limit 3)\n" in err
    assert "failed: three-levels.md: category hierarchy is 3 levels deep (limit 2)\n" in err
    assert list(Article.objects.values_list("title", flat=True)) == ["正好"]


def test_images_past_the_limit_are_not_listed_and_that_is_reported(tmp_path):
    images = "".join(
        f'<p><img src="https://n.sinaimg.cn/{n}.jpg" alt="图{n}"></p>' for n in range(600)
    )
    write(tmp_path, "gallery.md", front("图集") + images)
    out, err, failed = run_import(tmp_path)
    assert not failed, err
    article = Article.objects.get()
    assert ArticleImage.objects.filter(article=article).count() == 500
    assert article.body_html.count("<img") == 600  # the body keeps every image
    note = "600 images; the first 500 are listed (the body keeps all)"
    assert f"created: gallery.md ({note})" in out.splitlines()
    assert ImportRun.objects.get().warnings == [f"gallery.md: {note}"]


def test_what_was_stripped_is_reported_per_file_and_kept(tmp_path):
    for name in ["title-xml-forbidden.md", "tag-150-chars.md", "title-html-entities.md"]:
        shutil.copy(HOSTILE / name, tmp_path / name)
    write(tmp_path, "nul.md", (front("空字符") + "<p>前\x00后</p>").encode())
    out, err, failed = run_import(tmp_path)
    assert not failed, err
    warnings = {
        "nul.md": "1 NUL bytes removed",
        "tag-150-chars.md": f"tag '{'签' * 30}…' cut to 100 characters",
        "title-html-entities.md": (
            "title 'AT&T <财报> \"超预期\" 新浪': HTML entities decoded; "
            "category '科技&互联网': HTML entities decoded; tag 'R&D': HTML entities decoded; "
            "author '新浪&财经': HTML entities decoded"
        ),
        "title-xml-forbidden.md": "7 characters XML forbids removed",
    }
    for name, note in warnings.items():
        assert f"created: {name} ({note})" in out.splitlines(), name
    assert ImportRun.objects.get().warnings == [f"{n}: {w}" for n, w in sorted(warnings.items())]
    quiet, _, _ = run_import(tmp_path, "--force", verbosity=1)
    assert "NUL" not in quiet  # verbosity 1: the summary line only


def test_every_feed_parses_as_xml_with_hostile_names_imported(tmp_path, client):
    names = [
        "title-xml-forbidden.md",
        "title-xml-forbidden-escaped.md",
        "title-html-entities.md",
        "title-bidi-and-zero-width.md",
        "control-characters.md",
        "yaml-escapes-nul-and-controls.md",
        "json-lone-surrogate.md",
    ]
    for name in names:
        shutil.copy(HOSTILE / name, tmp_path / name)
    _, err, failed = run_import(tmp_path)
    assert not failed, err
    cache.clear()
    urls = [reverse("articles:feed_rss"), reverse("articles:feed_atom")]
    for kind in ("rss", "atom"):
        urls += [
            reverse(f"articles:category_feed_{kind}", kwargs={"path": c.slug_path})
            for c in Category.objects.all()
        ]
        urls += [
            reverse(f"articles:tag_feed_{kind}", kwargs={"slug": t.slug}) for t in Tag.objects.all()
        ]
        urls += [
            reverse(f"articles:author_feed_{kind}", kwargs={"slug": a.slug})
            for a in Author.objects.all()
        ]
    assert len(urls) >= 12
    titles = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        root = etree.fromstring(response.content)  # strict XML: raises on a forbidden character
        titles.update(
            t.text for t in root.iter("title", "{http://www.w3.org/2005/Atom}title") if t.text
        )
    wanted = {"非法字符标题结束", "转义非法字符标题", 'AT&T <财报> "超预期" 新浪', "文标零宽隔离"}
    assert wanted <= titles
