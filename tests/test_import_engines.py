"""Real posts of Hexo, Jekyll, Hugo and Zola sites, read the way their own engine reads them."""

import os
import shutil
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from articles.importing.engines import ENGINES, FileContext, find_site
from articles.importing.pipeline import Failure, process_post

from .conftest import ROOT

BLOGS = ROOT / "tests" / "fixtures" / "blogs"
# One folder per site, named <engine>-<owner>-<repo>; other folders hold single test posts.
SITES = sorted(
    path for path in BLOGS.iterdir() if path.is_dir() and path.name.split("-")[0] in ENGINES
)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def read(path, engine="", zone="Asia/Shanghai"):
    """The article a file of a site becomes, parsed as the importer's workers parse it."""
    site = find_site(path.parent, engine)
    site_path = os.path.relpath(path, site.root) if site.root else path.name
    context = FileContext(site, site_path.replace(os.sep, "/"), path.stat().st_mtime_ns)
    result = process_post((site_path, path.read_bytes(), zone, context))
    assert not isinstance(result, Failure), result
    return result


@pytest.mark.parametrize("site", SITES, ids=lambda path: path.name)
def test_the_engine_is_found_from_the_site_configuration(site):
    posts = [p for p in site.rglob("*") if p.suffix in (".md", ".markdown")]
    assert len(posts) >= 4
    for post in posts[:3]:
        assert find_site(post.parent).engine == site.name.split("-")[0], post


def test_override_reads_a_site_as_another_engine():
    post = BLOGS / "hexo-0wQ-blog/source/_posts/hello-world copy 6.md"
    assert read(post, engine="hexo").categories == [("test1", "test2", "test3")]
    assert read(post, engine="jekyll").categories == [("test1",), ("test2",), ("test3",)]


def test_jekyll_date_written_with_the_year_twice():
    post = read(BLOGS / "jekyll-jekyll-jekyll/_posts/2023-01-29-jekyll-3-9-3-released.markdown")
    assert post.published_at == datetime(
        2023, 1, 29, 18, 30, 22, tzinfo=timezone(-timedelta(hours=8))
    )
    assert post.categories == [("release",)]
    assert post.author == "parkr"
    assert post.old_urls == ["/release/2023/01/29/jekyll-3-9-3-released.html"]


def test_jekyll_categories_are_separate_and_layout_is_kept():
    post = read(BLOGS / "jekyll-orhun-blog/_posts/2021-02-06-my-first-month-as-TU.md")
    assert post.categories == [("Arch Linux",), ("Packaging",), ("Linux",)]
    assert post.extra["layout"] == "post"
    assert post.published_at == datetime(2021, 2, 6, tzinfo=SHANGHAI)
    assert post.notes == ["no date: took 2021-02-06 from the file name"]


def test_jekyll_date_and_slug_from_the_file_name_and_its_permalink():
    post = read(
        BLOGS / "jekyll-mojombo-mojombo.github.io/_posts/2008-10-18-how-i-turned-down-300k.md"
    )
    assert post.published_at == datetime(2008, 10, 18, tzinfo=SHANGHAI)
    assert post.slug == "how-i-turned-down-300k"
    assert post.old_urls == ["/2008/10/18/how-i-turned-down-300k.html"]


def test_jekyll_space_separated_tags_are_several():
    post = read(BLOGS / "jekyll-lilianweng-lil-log/_posts/2018-06-24-attention-attention.md")
    assert post.tags == ["architecture", "attention", "transformer", "rnn"]
    assert post.old_urls == ["/lil-log/2018/06/24/attention-attention.html"]


def test_hexo_date_from_new_post_name_and_permalink_from_the_config():
    post = read(BLOGS / "hexo-hexojs-site/source/_posts/2014-06-14-hexo-2-7-released.md")
    assert post.published_at == datetime(2014, 6, 14, tzinfo=SHANGHAI)
    assert post.slug == "hexo-2-7-released"
    assert post.old_urls == ["/news/2014/06/14/hexo-2-7-released/"]


def test_hexo_without_a_date_takes_the_file_time_and_says_so(tmp_path):
    site = tmp_path / "blog"
    shutil.copytree(BLOGS / "hexo-0wQ-blog", site)
    post = site / "source/_posts/hello-world copy 6.md"
    moment = datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC)
    os.utime(post, (moment.timestamp(), moment.timestamp()))
    article = read(post)
    assert article.published_at == moment
    assert article.notes == ["warning: no date: used the file's time (2020-05-06 15:08)"]
    assert article.categories == [("test1", "test2", "test3")]  # one hierarchy, as in Hexo
    assert article.slug == "hello-world copy 6"  # :title is the file name
    assert article.old_urls == ["/2020/05/06/hello-world copy 6/"]


def test_hexo_posts_in_folders_keep_the_folders_in_their_address():
    post = read(BLOGS / "hexo-12Tall-12tall.github.io/source/_posts/c_cpp/2022/dll-injection.md")
    assert post.slug == "dll-injection"
    assert post.old_urls == ["/2022/08/03/c_cpp/2022/dll-injection/"]


def test_hugo_draft_is_imported_as_a_draft():
    post = read(BLOGS / "hugo-jessfraz-blog/content/post/reverse-vpn-for-all-the-things.md")
    assert post.published is False
    assert post.author == "Jessica Frazelle"
    assert post.old_urls == ["/post/reverse-vpn-for-all-the-things/"]


def test_hugo_bundle_slug_is_its_folder_and_categories_are_flat():
    post = read(
        BLOGS / "hugo-0x0cqq-0x0cqq.github.io/content/en/posts/APIO2012-dispatching/index.md"
    )
    assert post.slug == "APIO2012-dispatching"
    assert post.categories == [("OI",), ("题解",)]


def test_zola_date_and_slug_from_the_file_name():
    post = read(
        BLOGS / "zola-Keats-vincentprouillet/content/blog/2013-09-02_testing-django-projects.md"
    )
    assert post.published_at == datetime(2013, 9, 2, tzinfo=SHANGHAI)
    assert post.slug == "testing-django-projects"
    assert post.categories == [("Programming",)]
    assert post.old_urls == ["/blog/testing-django-projects/"]


def test_zola_draft_and_base_path():
    post = read(
        BLOGS
        / "zola-wezm-wezm.net/content/posts/2020/neovim-versus-the-28-megabyte-xml-file/index.md"
    )
    assert post.published is False
    assert post.old_urls == ["/v2/posts/2020/neovim-versus-the-28-megabyte-xml-file/"]


ZOLA_POST = """+++
title = "Moving the blog"
path = "2014/12/12/moving-the-blog"
authors = ["Ada", "Grace"]
aliases = ["/old/moving.html"]

[taxonomies]
categories = ["meta", "site"]
tags = ["zola"]

[extra]
lead = "why"
+++
Body.
"""


def test_zola_authors_path_date_taxonomies_and_aliases(tmp_path):
    (tmp_path / "config.toml").write_text('base_url = "https://example.org"\n')
    post = tmp_path / "content" / "moving.md"
    post.parent.mkdir()
    post.write_text(ZOLA_POST)
    article = read(post)
    assert article.author == "Ada"
    assert article.extra["authors"] == ["Ada", "Grace"]
    assert article.extra["extra.lead"] == "why"
    assert article.published_at == datetime(2014, 12, 12, tzinfo=SHANGHAI)
    assert article.categories == [("meta",), ("site",)]
    assert article.tags == ["zola"]
    assert article.old_urls == ["/2014/12/12/moving-the-blog/", "/old/moving.html"]
    assert article.notes == [
        "no date: took 2014-12-12 from its path '2014/12/12/moving-the-blog'",
        "2 authors: the first is the article's author",
    ]


def test_title_from_the_first_heading_then_the_file_name(tmp_path):
    (tmp_path / "_config.yml").write_text("new_post_name: :title.md\n")
    posts = tmp_path / "source" / "_posts"
    posts.mkdir(parents=True)
    (posts / "with-heading.md").write_text("---\ndate: 2020-01-01\n---\n# A Heading\n\nText.\n")
    (posts / "plain-text.md").write_text("---\ndate: 2020-01-01\n---\nJust text.\n")
    titled = read(posts / "with-heading.md")
    assert titled.title == "A Heading"
    assert titled.notes == ["no title: took its first heading ('A Heading')"]
    assert read(posts / "plain-text.md").title == "plain-text"


def test_jekyll_refuses_a_post_without_front_matter(tmp_path):
    (tmp_path / "_config.yml").write_text("title: x\n")
    post = tmp_path / "_posts" / "2020-01-01-stub.md"
    post.parent.mkdir()
    post.write_text("<meta http-equiv='Refresh' content='0; url=/new/'>\n")
    site = find_site(post.parent)
    result = process_post(("stub.md", post.read_bytes(), "UTC", FileContext(site, "_posts/x.md")))
    assert result.error == "no front matter: Jekyll does not publish it as a post"
