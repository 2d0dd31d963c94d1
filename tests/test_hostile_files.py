"""Hostile and broken post files: each one fails alone with a clear message naming it (and
the line, where the front matter has one) or imports as a reader would expect; the rest of
the run goes on and nothing already stored changes.

The small cases are checked-in files under fixtures/hostile/ (the name says the case); the
ones git cannot hold or that need the file system (50 MB, binary, FIFO, symlink loop, a file
that vanishes or changes during the run...) are made here, in `make_generated`.
"""

import codecs
import hashlib
import os
import re
import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from taggit.models import Tag, TaggedItem

from articles.cache_version import ContentVersion
from articles.models import Article

from .conftest import ROOT, SEEDS
from .importing import make_corpus, post, write

pytestmark = pytest.mark.django_db

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
CAN_READ_ANYTHING = os.geteuid() == 0  # root reads a chmod 000 file (CI runs as root)

# Checked-in files that must fail: name -> (line or None, regex of the reason).
FAILS = {
    "empty.md": (None, r"empty file: no front matter and no text"),
    "only-fences.md": (None, r"empty file: no front matter and no text"),
    "whitespace-only.md": (None, r"empty file: no front matter and no text"),
    "truncated-front-matter.md": (1, r"front matter opened with '---' is never closed"),
    "unclosed-fence.md": (2, r"front matter opened with '---' is never closed"),
    "unclosed-quote.md": (
        4,
        r"front matter is not valid YAML: found unexpected end of stream while scanning a "
        r"quoted scalar that starts on line 2",
    ),
    "tabs-in-yaml.md": (
        3,
        r"front matter is not valid YAML: found a tab character that violates indentation.*",
    ),
    "duplicate-key.md": (4, r"duplicate key 'title'"),
    "duplicate-key-other-case.md": (4, r"duplicate key 'Title'"),
    "yaml-python-object-apply.md": (
        2,
        r"front matter is not valid YAML: could not determine a constructor for the tag "
        r"'tag:yaml\.org,2002:python/object/apply:os\.system'",
    ),
    "yaml-python-name.md": (
        3,
        r"front matter is not valid YAML: could not determine a constructor for the tag "
        r"'tag:yaml\.org,2002:python/name:subprocess\.check_output'",
    ),
    "yaml-unknown-tag.md": (
        2,
        r"front matter is not valid YAML: could not determine a constructor for the tag '!vault'",
    ),
    "yaml-bool-tag-not-a-bool.md": (4, r"front matter value 'maybe' is not a valid bool"),
    "yaml-timestamp-tag-not-a-date.md": (4, r"front matter value '下周' is not a valid timestamp"),
    "yaml-binary-title.md": (None, r"title must be text, not bytes"),
    "yaml-unhashable-key.md": (2, r"front matter is not valid YAML: found unhashable key"),
    "alias-bomb-billion-laughs.md": (
        None,
        r"YAML uses 72 aliases; refusing a possible alias bomb",
    ),
    "front-matter-is-a-list.md": (2, r"front matter must be a mapping of keys, not list"),
    "front-matter-is-a-string.md": (2, r"front matter must be a mapping of keys, not str"),
    "json-front-matter-broken.md": (
        3,
        r"front matter is not valid JSON: Expecting property name enclosed in double quotes",
    ),
    "toml-front-matter-broken.md": (2, r"front matter is not valid TOML: Illegal character '\\n'"),
    "toml-date-feb-30.md": (3, r"front matter is not valid TOML: Invalid date or datetime"),
    "date-year-0.md": (
        3,
        r"front matter value '0000-01-01' is not a valid timestamp \(year 0 is out of range\)",
    ),
    "date-year-99999.md": (None, r"date '99999-01-01' is not a date format we know"),
    "date-1900-02-30.md": (
        3,
        r"front matter value '1900-02-30' is not a valid timestamp "
        r"\(day is out of range for month\)",
    ),
    "date-1900-02-30-quoted.md": (None, r"date '1900-02-30' is not a date format we know"),
    "date-1899.md": (None, r"date '1899-12-31 23:59:59' is out of range \(years 1900-2200\)"),
    "date-hour-25.md": (
        3,
        r"front matter value '2022-04-07 25:00:00' is not a valid timestamp "
        r"\(hour must be in 0\.\.23\)",
    ),
    "date-offset-25-hours.md": (
        None,
        r"date '2022-04-07T10:00:00\+25:00' is not a date format we know",
    ),
    "date-rfc822-feb-31.md": (
        None,
        r"date 'Thu, 31 Feb 2022 13:21:43 GMT' is not a date format we know",
    ),
    "date-is-a-list.md": (None, r"date is empty or not a date: \[2022, 4, 7\]"),
    "title-is-a-list.md": (None, r"title must be text, not list"),
    "categories-mapping.md": (None, r"a category must be text, not dict"),
    "category-name-201-chars.md": (
        None,
        r"category '类{30}…' is longer than 200 characters",
    ),
    "category-path-over-1000-chars.md": (
        None,
        r"category path is longer than 1000 characters",
    ),
    "tags-mapping.md": (None, r"a tag must be text, not dict"),
    "author-is-a-list.md": (None, r"author must be text, not list"),
    "json-duplicate-key.md": (4, r"duplicate key 'Title'"),
    "title-invisible-only.md": (None, r"title has no visible characters"),
}


def tags_of(article):
    return sorted(article.tags.names())


def categories_of(article):
    return sorted(c.path for c in article.categories.all())


# Checked-in files that must import: name -> check(article). What a reader would expect.
def only_front_matter(a):
    assert (a.title, a.body_html, a.body_text) == ("只有头信息", "", "")


def slug_from_hash(a):
    # Nothing of the title survives slugify: the slug falls back to the content hash.
    assert a.slug == f"article-{a.content_hash[:8]}"


def punctuation_title(a):
    assert a.title == "!!!???…"
    slug_from_hash(a)


def emoji_title(a):
    assert a.title == "🎉🔥💯"
    slug_from_hash(a)


def categories_number(a):
    assert categories_of(a) == ["42"]


def no_categories(a):
    assert categories_of(a) == []


def categories_with_nulls(a):
    assert categories_of(a) == ["恶意测试", "恶意测试 / 子类"]


def categories_punctuation(a):
    category = a.categories.get()
    assert category.name == "!!!" and category.slug.startswith("category")


def tags_emoji(a):
    assert tags_of(a) == ["!!!", "🎉"]


def long_slug(a):
    assert a.slug == "s" * 200


def escapes(a):
    # "\0" and "\x07" escapes decode to characters the file never held; PostgreSQL's jsonb
    # refuses NUL, so they go before storing, from the title, the extra values and keys.
    assert a.title == "转义控制字符"
    assert a.extra == {"mood": "ab", "keywith nul": 1}


def lone_surrogate(a):
    assert a.title == "孤立\ufffd代理" and a.extra == {"note": "\ufffd"}


def infinity(a):
    assert a.extra == {"score": "inf", "rank": "-inf"}  # JSON has no Infinity


def controls(a):
    assert a.title == "控制字符[31m红"
    assert a.body_html == "<p>正文里有控制字符</p>"


def unclosed_tags(a):
    assert a.body_text == "第一段粗体斜体\n\n第二段\n\n单元格列表项"
    assert a.body_html.count("<table>") == a.body_html.count("</table>") == 1


def unclosed_comment(a):
    assert a.body_html == "<p>看得见</p>"  # an unclosed comment hides the rest, as in browsers


def script_only(a):
    assert a.body_html == "" and a.body_text == ""


def mismatched(a):
    assert a.body_text == "正文"


def same_title(a):
    assert a.title == "同题同日"


def yaml_core_types(a):
    # Text fields hold the text written; other keys get YAML 1.2 core types (no 'yes' bool,
    # no octal '010', no base-60 '12:30'), as js-yaml gives Hexo.
    assert (a.title, a.author.name, a.slug) == ("yes", "010", "1230")
    assert tags_of(a) == ["010", "1.50", "on"] and categories_of(a) == ["no"]
    assert a.extra == {"rank": 10, "flag": "yes", "time": "12:30", "ok": True}


def merge_key(a):
    assert a.extra == {
        "defaults": {"layout": "post", "lang": "zh"},
        "page": {"layout": "post", "lang": "en"},
    }


def entities(a):
    assert a.title == 'AT&T <财报> "超预期" 新浪'
    assert (a.author.name, tags_of(a), categories_of(a)) == ("新浪&财经", ["R&D"], ["科技&互联网"])


def invisible_characters(a):
    assert (a.title, a.author.name, a.slug) == ("文标零宽隔离", "作者", "slug-with-bidi")
    assert (tags_of(a), categories_of(a)) == (["标签"], ["分类"])


def tag_with_commas(a):
    assert tags_of(a) == ["a, b，c", "d"]  # one tag, as Hexo keeps it


def tag_cut(a):
    assert tags_of(a) == ["签" * 100]


def xml_forbidden_escaped(a):
    # Escapes decode to what XML forbids: raw, libyaml refuses them, escaped it does not.
    assert (a.title, a.author.name, tags_of(a)) == ("转义非法字符标题", "作者", ["标签"])


def xml_forbidden(a):
    assert (a.title, a.author.name, tags_of(a)) == ("非法字符标题结束", "作者", ["标签"])
    assert a.body_text == "正文有非法字符。"


def titled_by_file_name(a):
    # Hexo publishes a post with an empty title; the importer names it after its file.
    assert a.title == a.source_path.removeprefix("hostile/").removesuffix(".md")


IMPORTS = {
    "yaml11-typing.md": yaml_core_types,
    "yaml-merge-key.md": merge_key,
    "title-html-entities.md": entities,
    "title-bidi-and-zero-width.md": invisible_characters,
    "tag-with-commas.md": tag_with_commas,
    "tag-150-chars.md": tag_cut,
    "title-xml-forbidden.md": xml_forbidden,
    "title-xml-forbidden-escaped.md": xml_forbidden_escaped,
    "only-front-matter.md": only_front_matter,
    "title-punctuation-only.md": punctuation_title,
    "title-emoji-only.md": emoji_title,
    "same-title-same-date-1.md": same_title,
    "same-title-same-date-2.md": same_title,
    "categories-number.md": categories_number,
    "categories-null.md": no_categories,
    "categories-list-with-nulls.md": categories_with_nulls,
    "categories-punctuation-only.md": categories_punctuation,
    "tags-emoji-only.md": tags_emoji,
    "slug-1000-chars.md": long_slug,
    "yaml-escapes-nul-and-controls.md": escapes,
    "json-lone-surrogate.md": lone_surrogate,
    "json-infinity-and-huge-number.md": infinity,
    "control-characters.md": controls,
    "html-unclosed-tags.md": unclosed_tags,
    "html-unclosed-comment.md": unclosed_comment,
    "html-script-only.md": script_only,
    "html-mismatched-closing.md": mismatched,
    "title-whitespace-only.md": titled_by_file_name,
    "title-null.md": titled_by_file_name,
}


def expect(**fields):
    """A check that the article's fields (editor__name follows the relation) are exactly these."""

    def check(article):
        for name, wanted in fields.items():
            value = article
            for part in name.split("__"):
                value = getattr(value, part)
            assert value == wanted, (article.source_path, name, str(value)[:80])

    return check


FRONT = "---\ntitle: {title}\ndate: 2022-04-07 10:00:00\n{more}---\n"


def front(title="生成的样本", more=""):
    return FRONT.format(title=title, more=more)


def make_generated(folder):
    """The cases that cannot be checked in. Returns (fails, imports) like FAILS and IMPORTS."""
    fails, imports = {}, {}

    def fail(name, content, reason, line=None):
        write(folder, name, content)
        fails[name] = (line, reason)

    big = folder / "big-50mb.md"
    with open(big, "wb") as handle:
        handle.write(front("五十兆").encode())
        chunk = ("<p>" + "很长的正文。" * 1000 + "</p>\n").encode()
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    fails["big-50mb.md"] = (None, r"file is 50\.0 MB, over the 5 MB limit")

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64
    fail("binary-png.md", png, r"binary file \(contains NUL bytes\), not a text post")
    # A stray NUL is stripped (with a note); mostly NULs is binary.
    write(folder, "nul-byte-in-body.md", (front("空字符") + "<p>前\x00后</p>").encode())
    imports["nul-byte-in-body.md"] = expect(title="空字符", body_text="前后")
    # 0xFF starts no character in UTF-8 nor in GB18030.
    head = front("坏编码").encode()
    fail(
        "invalid-utf8-not-gb18030.md",
        head + b"<p>\xff\xfe\xfa</p>",
        rf"not UTF-8 \(bad byte at offset {len(head) + 3}\) and not GB18030 either",
    )
    utf16 = (front("UTF-16 小端") + "<p>记事本另存为 Unicode。</p>").encode("utf-16")
    write(folder, "utf16-le-bom.md", utf16)
    imports["utf16-le-bom.md"] = expect(title="UTF-16 小端", body_text="记事本另存为 Unicode。")
    big_endian = codecs.BOM_UTF16_BE + (front("UTF-16 大端") + "<p>大端。</p>").encode("utf-16-be")
    write(folder, "utf16-be-bom.md", big_endian)
    imports["utf16-be-bom.md"] = expect(title="UTF-16 大端", body_text="大端。")
    fail("utf16-odd-byte-count.md", utf16 + b"!", r"broken UTF-16 \(bad bytes at offset \d+\)")

    tags = "tags:\n" + "".join(f"  - 标签{n}\n" for n in range(10_000))
    fail("tags-10000.md", front(more=tags), r"10000 tags \(limit 200\)")
    levels = "categories:\n" + "".join(f"  - 层{n}\n" for n in range(1000))
    fail(
        "categories-1000-levels.md",
        front(more=levels),
        r"category hierarchy is 1000 levels deep \(limit 10\)",
    )
    fail(
        "categories-nested-1000-deep.md",
        front(more="categories: " + "[" * 1000 + "金融" + "]" * 1000 + "\n"),
        r"a category must be text, not list",
    )
    fail(
        "yaml-extra-nested-1000-deep.md",
        front(more="mood: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n"),
        r"front matter key 'mood' is nested over 20 levels deep",
    )
    fail(
        "json-nested-100000-deep.md",
        ';;;\n"title": "深", "x": ' + "[" * 100_000 + "]" * 100_000 + "\n;;;\n",
        r"front matter is nested too deeply",
        line=2,
    )
    fail(
        "yaml-int-5000-digits.md",
        front(more="rank: " + "9" * 5000 + "\n"),
        r"front matter value '9{40}…' is not a valid int \(Exceeds the limit \(4300 digits\) "
        r"for integer string conversion: value has 5000 digits\)",
        line=4,
    )
    fail(
        "json-5000-digit-number.md",
        ';;;\n"title": "大数", "rank": ' + "9" * 5000 + "\n;;;\n",
        r"front matter is not valid JSON: Exceeds the limit \(4300 digits\) for integer string "
        r"conversion: value has 5000 digits",
        line=2,
    )
    fail(
        "toml-5000-digit-number.md",
        '+++\ntitle = "大数"\nrank = ' + "9" * 5000 + "\n+++\n",
        r"front matter is not valid TOML: Exceeds the limit \(4300 digits\) for integer string "
        r"conversion: value has 5000 digits",
        line=2,
    )
    fail(
        "title-10000-chars.md",
        front(title="长" * 10_000),
        r"title is 10000 characters long \(limit 500\)",
    )
    fail(
        "html-nested-100000-deep.md",
        front() + "<div>" * 100_000 + "深" + "</div>" * 100_000,
        r"HTML is nested more than 512 elements deep",
    )
    fail(
        "html-500000-elements.md",
        front() + "<p>" + "<b>粗</b>" * 500_000 + "</p>",
        r"HTML has more than 50,000 elements",
    )
    fail(
        "markdown-50000-brackets.md",
        front() + "[链接](" * 50_000,
        r"a Markdown paragraph has 50000 '\[' in 250000 characters; "
        r"it would take minutes to render",
    )
    # markdown-it stops at its nesting limit and drops the rest of the file: refused, not
    # stored without its text.
    fail(
        "markdown-blockquote-5000-deep.md",
        front("深引用") + ">" * 5000 + " 引用\n",
        r"Markdown is nested more than 100 levels deep",
    )
    deep_quote = ">" * 90 + " 引用\n"
    write(folder, "markdown-blockquote-90-deep.md", front("深引用") + deep_quote)

    def quoted_deep(article):
        assert article.body_html.count("<blockquote>") == 90
        assert article.body_html.count("</blockquote>") == 90
        assert article.body_text == "引用"

    imports["markdown-blockquote-90-deep.md"] = quoted_deep
    line = "一行很长的正文没有换行。" * 125_000  # 1.5 million characters, 4.5 MB: one paragraph
    write(folder, "huge-single-line.md", front("超长单行") + line)
    imports["huge-single-line.md"] = expect(body_text=line, body_html=f"<p>{line}</p>")
    write(
        folder,
        "editor-line-10000-chars.md",
        front("超长编辑")
        + '<p>正文。</p><p class="article-editor">责任编辑：'
        + "王" * 10_000
        + "</p>",
    )
    # Not a name (Editor.name holds 200): no editor, and the footer line still goes.
    imports["editor-line-10000-chars.md"] = expect(editor=None, body_html="<p>正文。</p>")

    # A directory named like a post is a folder like any other: what is inside imports.
    write(folder, "dir-named-like-post.md/inside.md", post(title="目录里的文章"))
    imports["dir-named-like-post.md/inside.md"] = expect(title="目录里的文章")
    (folder / "empty-dir-named-like-post.md").mkdir()
    # Links: to themselves, to nowhere, to a device, and a directory link back up (not
    # followed, so the walk ends).
    os.symlink("symlink-loop.md", folder / "symlink-loop.md")
    fails["symlink-loop.md"] = (None, r"cannot read file: Too many levels of symbolic links")
    os.symlink("no-such-file.md", folder / "a-dangling-link.md")
    fails["a-dangling-link.md"] = (None, r"cannot read file: No such file or directory")
    os.symlink("/dev/zero", folder / "dev-zero-link.md")
    fails["dev-zero-link.md"] = (
        None,
        r"symbolic link to /dev/zero, outside the import root; not followed",
    )
    (folder / "loop-dir").mkdir()
    os.symlink("..", folder / "loop-dir" / "up")
    # A FIFO has no writer: opening it for reading used to wait forever.
    os.mkfifo(folder / "fifo.md")
    fails["fifo.md"] = (None, r"not a regular file")
    write(folder, "unreadable-chmod-000.md", post(title="不可读"))
    (folder / "unreadable-chmod-000.md").chmod(0)
    if CAN_READ_ANYTHING:  # root: the permission bits do not stop it, and the post is fine
        imports["unreadable-chmod-000.md"] = expect(title="不可读")
    else:
        fails["unreadable-chmod-000.md"] = (None, r"cannot read file: Permission denied")

    # Changed while the run is going on: see Tripwire.
    write(folder, "z-vanishes.md", post(title="会消失"))
    fails["z-vanishes.md"] = (None, r"cannot read file: No such file or directory")
    write(folder, "z-changes.md", post(title="变化前"))
    imports["z-changes.md"] = changed_during_run
    return fails, imports


CHANGED = post(title="变化后", body="读到的是新内容。")


def changed_during_run(article):
    # Read once: what is stored is the new text, with the hash of exactly those bytes.
    assert article.title == "变化后" and article.body_text == "读到的是新内容。"
    assert article.raw.text == CHANGED
    assert article.content_hash == hashlib.sha256(CHANGED.encode()).hexdigest()


class Tripwire(StringIO):
    """stderr of the run: when the first hostile failure is reported (the runner has listed
    the files but not read the later ones yet), one file vanishes and another changes."""

    def __init__(self, folder):
        super().__init__()
        self.folder, self.fired = folder, False

    def write(self, text):
        if not self.fired and "failed: hostile/a-dangling-link.md" in text:
            self.fired = True
            (self.folder / "z-vanishes.md").unlink()
            (self.folder / "z-changes.md").write_text(CHANGED, encoding="utf-8")
        return super().write(text)


def snapshot():
    """Every row the importer can write, of every model in the app and taggit, by key.

    Not the content version: it is a cache key that the good files' import moves on purpose.
    """
    models = [
        *(m for m in apps.get_app_config("articles").get_models() if m is not ContentVersion),
        Tag,
        TaggedItem,
    ]
    return {
        model._meta.label: {
            row[model._meta.pk.attname]: row for row in model.objects.order_by("pk").values()
        }
        for model in models
    }


def changed_rows(before, after):
    return {
        table: [key for key, row in rows.items() if after[table].get(key) != row]
        for table, rows in before.items()
        if any(after[table].get(key) != row for key, row in rows.items())
    }


def created_path(line):
    """'created: PATH (notes)' -> PATH (no hostile path holds ' (')."""
    return line.removeprefix("created: ").split(" (", 1)[0]


def import_with(stderr, *paths):
    out = StringIO()
    try:
        call_command("import_articles", *map(str, paths), verbosity=2, stdout=out, stderr=stderr)
    except CommandError as error:
        return out.getvalue(), stderr.getvalue(), str(error)
    return out.getvalue(), stderr.getvalue(), None


@pytest.mark.slow
def test_hostile_files_fail_alone_and_change_nothing_stored(tmp_path):
    site = tmp_path / "site"
    make_corpus(site / "good", 12)
    goods = sorted(p for p in (site / "good").rglob("*.md"))
    out, err, error = import_with(StringIO(), SEEDS, site)
    assert error is None, err
    first = Article.objects.count()
    assert first == 14
    replaced = {
        p: Article.objects.get(source_path=p.relative_to(site).as_posix()) for p in goods[:2]
    }
    before = snapshot()

    # The second run: hostile files beside new good ones, and two good files made hostile
    # in place (the article imported from each must stay as it was).
    hostile = site / "hostile"
    shutil.copytree(HOSTILE, hostile)
    fails = {f"hostile/{name}": expected for name, expected in FAILS.items()}
    imports = {f"hostile/{name}": check for name, check in IMPORTS.items()}
    generated_fails, generated_imports = make_generated(hostile)
    fails |= {f"hostile/{name}": expected for name, expected in generated_fails.items()}
    imports |= {f"hostile/{name}": check for name, check in generated_imports.items()}
    broken_yaml, binary = goods[:2]
    broken_yaml.write_text("\n---\ntitle: 坏了\ndate: [2022\n---\n<p>x</p>\n", encoding="utf-8")
    binary.write_bytes(b"\x00\x01\x02garbage")
    fails[broken_yaml.relative_to(site).as_posix()] = (
        5,
        r"front matter is not valid YAML: did not find expected ',' or '\]' while parsing a "
        r"flow sequence that starts on line 4",
    )
    fails[binary.relative_to(site).as_posix()] = (None, r"binary file \(contains NUL bytes\).*")
    write(site, "new/fresh-1.md", post(title="新的好文章一"))
    write(site, "new/fresh-2.md", post(title="新的好文章二", leaf="国际"))
    imports["new/fresh-1.md"] = expect(title="新的好文章一", editor__name="王蒙")
    imports["new/fresh-2.md"] = expect(title="新的好文章二", source__name="吉林日报")
    assert len(fails) + len(imports) >= 80

    stderr = Tripwire(hostile)
    out, err, error = import_with(stderr, SEEDS, site)

    assert stderr.fired
    assert "Traceback" not in err and "Traceback" not in out
    assert error == f"{len(fails)} file(s) failed to import"
    failed_lines = {}
    for line in err.splitlines():
        assert line.startswith("failed: "), line
        path = next(p for p in sorted(fails, key=len, reverse=True) if line[8:].startswith(p))
        assert path not in failed_lines, f"{path} reported twice"
        failed_lines[path] = line
    assert failed_lines.keys() == fails.keys()
    wrong = []
    for path, (line_number, reason) in fails.items():
        where = f"{re.escape(path)}:{line_number}" if line_number else re.escape(path)
        if not re.fullmatch(f"failed: {where}: {reason}", failed_lines[path]):
            wrong.append(failed_lines[path])
    assert wrong == []

    created = {created_path(line) for line in out.splitlines() if line.startswith("created: ")}
    assert created == imports.keys()
    for path, check in imports.items():
        check(Article.objects.get(source_path=path))
    unchanged = first - len(replaced)
    assert out.splitlines()[-1] == (
        f"{len(fails) + len(imports) + unchanged} files: {len(imports)} created, 0 updated, "
        f"{unchanged} unchanged, 0 kept, {len(fails)} failed"
    )

    after = snapshot()
    assert changed_rows(before, after) == {}
    for path, article in replaced.items():
        kept = Article.objects.get(pk=article.pk)
        assert (kept.title, kept.content_hash, kept.raw.text) == (
            article.title,
            article.content_hash,
            article.raw.text,
        )
        assert kept.raw.text != path.read_text(errors="replace")
    assert Article.objects.count() == first + len(imports)


def test_hostile_fixtures_fail_the_same_way_in_worker_processes():
    """--jobs 2: failures come back from the workers as data, with the same messages."""
    out, err, error = import_with(StringIO(), HOSTILE, "--jobs", "2")
    assert "Traceback" not in err
    assert error == f"{len(FAILS)} file(s) failed to import"
    for name, (line_number, reason) in FAILS.items():
        where = f"{re.escape(name)}:{line_number}" if line_number else re.escape(name)
        assert re.search(f"^failed: {where}: {reason}$", err, re.MULTILINE), name
    created = {created_path(line) for line in out.splitlines() if line.startswith("created: ")}
    assert created == IMPORTS.keys()
    for name, check in IMPORTS.items():
        check(Article.objects.get(source_path=name))
