"""What Hexo, Jekyll, Hugo and Zola make of a post's front matter. No Django here.

Each engine publishes posts that lack keys the others require: Jekyll and Zola take the
date from the file name, Hexo from the file's time; Jekyll reads `categories: [a, b]` as two
categories where Hexo reads one hierarchy. The site's configuration file, found at or above
the import path, says which engine wrote the files. What an engine would have inferred is
inferred here too, and said in the notes, so an operator sees per file what was guessed.
"""

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml

from .errors import PostError

ENGINES = ("hexo", "jekyll", "hugo", "zola")
# Keys only Hexo's _config.yml has; Jekyll's shares many others (title, url, permalink).
HEXO_KEYS = {"new_post_name", "source_dir", "public_dir", "default_layout", "post_asset_folder"}
HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.json", "config.yaml", "config.json")
MAX_LEVELS_UP = 8  # a site's configuration sits a few folders above its posts
# 2014-12-12 at the start of a file or bundle name (Jekyll, Zola) or anywhere in a path.
LEADING_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[-_](.*))?$")
DATE_IN_PATH = re.compile(r"(?<!\d)(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?!\d)")
FIRST_HEADING = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$|<h1[^>]*>(.*?)</h1>", re.M | re.I | re.S)
TAG = re.compile(r"<[^>]+>")
HEXO_DEFAULT_PERMALINK = ":year/:month/:day/:title/"
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
PLACEHOLDER = re.compile(r":([a-z_]+)")
MAX_ALIASES = 50
INVALID_DATE = "Invalid Date"
MAX_URL_LENGTH = 1000


@dataclass(frozen=True)
class Site:
    """A blog's engine and the few settings of its configuration that shape its posts."""

    engine: str = ""  # '' when no configuration was found: crawler files, loose posts
    root: str = ""  # the folder holding the configuration
    config_file: str = ""
    base_path: str = "/"  # the path of the site's URL ('/blog/' for example.org/blog/)
    permalink: str = ""  # the site's pattern (Hexo, Jekyll); Hugo's per section below
    section_permalinks: tuple = ()  # Hugo's [permalinks]: ((section, pattern), ...)
    new_post_name: str = ":title.md"  # Hexo: how a file name encodes the post

    def as_dict(self):
        return {
            "engine": self.engine,
            "root": self.root,
            "config_file": self.config_file,
            "base_path": self.base_path,
            "permalink": self.permalink,
            "section_permalinks": [list(pair) for pair in self.section_permalinks],
            "new_post_name": self.new_post_name,
        }

    @classmethod
    def from_dict(cls, data):
        data = dict(data or {})
        data["section_permalinks"] = tuple(tuple(p) for p in data.get("section_permalinks", ()))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class FileContext:
    """Where a file sits in its site, and its time: what an engine reads besides the text."""

    site: Site = field(default_factory=Site)
    site_path: str = ""  # the file's path below the site's root, '/'-separated
    mtime_ns: int | None = None

    def as_dict(self):
        return {"site": self.site.as_dict(), "site_path": self.site_path, "mtime_ns": self.mtime_ns}

    @classmethod
    def from_dict(cls, data):
        data = data or {}
        return cls(
            Site.from_dict(data.get("site")), data.get("site_path", ""), data.get("mtime_ns")
        )


@dataclass
class Interpretation:
    """The engine's reading of the keys that differ between engines; values still untyped."""

    title: object = None
    date: object = None  # a front-matter value, or a datetime the engine inferred
    categories: object = None  # in parse_categories' form: nested lists are separate chains
    tags: object = None
    author: object = None
    published: bool = True
    slug: str = ""
    old_urls: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # keys the engine adds to the unknown ones
    used_keys: set = field(default_factory=set)  # keys consumed here, kept out of extra


# -- finding the site ---------------------------------------------------------------------


def read_config(path):
    """A configuration file as a dict; one that cannot be read counts as no site at all."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(1 << 20)
        if path.endswith(".toml"):
            return tomllib.loads(data.decode("utf-8"))
        if path.endswith(".json"):
            return json.loads(data)
        return yaml.safe_load(data) or {}
    except (OSError, ValueError, yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return None


def config_in(folder):
    """(engine, config path, config) of a site whose configuration is in this folder."""
    for name in ("_config.yml", "_config.yaml"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            config = read_config(path)
            if isinstance(config, dict):
                hexo = HEXO_KEYS & config.keys() or os.path.isdir(os.path.join(folder, "source"))
                return ("hexo" if hexo else "jekyll"), path, config
    for name in HUGO_CONFIGS:
        path = os.path.join(folder, name)
        if os.path.isfile(path) and isinstance(config := read_config(path), dict):
            return "hugo", path, config
    for name in ("hugo.toml", "config.toml"):
        path = os.path.join(folder, "config", "_default", name)
        if os.path.isfile(path) and isinstance(config := read_config(path), dict):
            return "hugo", path, config
    path = os.path.join(folder, "config.toml")
    if os.path.isfile(path) and isinstance(config := read_config(path), dict):
        # Hugo spells it baseURL, Zola base_url.
        return ("zola" if "base_url" in config else "hugo"), path, config
    return None


def find_site(import_path, engine=""):
    """The site a PATH argument belongs to: the nearest configuration at or above it.

    The search stops at a repository's top (a folder holding .git), so a checkout's posts
    are never read with some unrelated configuration further up. `engine` overrides the
    detected engine (or names one where no configuration was found).
    """
    folder = os.path.abspath(import_path)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    for _ in range(MAX_LEVELS_UP):
        found = config_in(folder)
        if found:
            detected, path, config = found
            return site_from_config(engine or detected, folder, path, config)
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")) or parent == folder:
            break
        folder = parent
    return Site(engine=engine)


def site_from_config(engine, root, path, config):
    base_url = config.get("url") or config.get("baseURL") or config.get("baseurl") or ""
    if engine == "zola":
        base_url = config.get("base_url", "")
    base_path = urlsplit(str(base_url)).path if isinstance(base_url, str) else ""
    if engine == "hexo" and isinstance(config.get("root"), str):
        base_path = config["root"]
    if engine == "jekyll" and isinstance(config.get("baseurl"), str):
        base_path = config["baseurl"]
    permalink = config.get("permalink")
    sections = ()
    if engine == "hugo" and isinstance(permalink := config.get("permalinks"), dict):
        pages = permalink.get("page") if isinstance(permalink.get("page"), dict) else permalink
        sections = tuple(sorted((k, v) for k, v in pages.items() if isinstance(v, str)))
        permalink = ""
    if engine == "hexo":
        permalink = permalink or HEXO_DEFAULT_PERMALINK
    if engine == "jekyll":
        permalink = permalink or "date"
        permalink = JEKYLL_STYLES.get(permalink, permalink)
    name = config.get("new_post_name")
    return Site(
        engine=engine,
        root=root,
        config_file=os.path.relpath(path, root).replace(os.sep, "/"),
        base_path="/" + base_path.strip("/") + "/" if base_path.strip("/") else "/",
        permalink=permalink if isinstance(permalink, str) else "",
        section_permalinks=sections,
        new_post_name=name if isinstance(name, str) and name else ":title.md",
    )


# -- reading one post ---------------------------------------------------------------------


def stem_and_bundle(site_path):
    """(name without suffix, whether the file is a page bundle's index.md)."""
    path = PurePosixPath(site_path)
    if path.stem in ("index", "_index") and len(path.parts) > 1:
        return path.parent.name, True
    return path.stem, False


def file_time(context, zone):
    if context.mtime_ns is None:
        return None
    return datetime.fromtimestamp(context.mtime_ns / 1e9, zone).replace(microsecond=0)


def leading_date(name, zone):
    """Jekyll's and Zola's '2014-12-12-slug' / '2014-12-12_slug': (date, rest) or None."""
    found = LEADING_DATE.match(name)
    if not found:
        return None
    try:
        moment = datetime(*map(int, found.groups()[:3]), tzinfo=zone)
    except ValueError:
        return None
    return moment, found.group(4) or ""


def date_in_path(path, zone):
    found = DATE_IN_PATH.search(path)
    if not found:
        return None
    try:
        return datetime(*map(int, found.groups()), tzinfo=zone)
    except ValueError:
        return None


def heading_title(body):
    found = FIRST_HEADING.search(body)
    if not found:
        return ""
    return " ".join(TAG.sub("", found.group(1) or found.group(2) or "").split())


def present(meta, key):
    value = meta.get(key)
    return value not in (None, []) and not (isinstance(value, str) and not value.strip())


def interpret(meta, body, rel_path, context, zone, has_front_matter=True):
    """The engine's view of the keys that differ between engines; see Interpretation."""
    site = context.site
    if not has_front_matter and site.engine in ("jekyll", "zola"):
        # Jekyll copies such a file as it is, Zola refuses it: neither makes it a post.
        raise PostError(f"no front matter: {site.engine.title()} does not publish it as a post")
    site_path = context.site_path or rel_path
    reader = {"jekyll": jekyll, "hugo": hugo, "zola": zola}.get(site.engine, hexo)
    result = reader(meta, site_path, context, zone)
    if not present(meta, "title") and result.title in (None, ""):
        stem, _ = stem_and_bundle(site_path)
        heading = heading_title(body)
        result.title = heading or stem
        where = "its first heading" if heading else "the file name"
        result.notes.append(f"no title: took {where} ('{result.title[:60]}')")
    elif result.title is None:
        result.title = meta.get("title")
    result.old_urls = clean_urls(result.old_urls, result)
    return result


def fallback_date(meta, result, context, zone, *, from_name=None, path=None):
    """The date an engine uses when the front matter has none, in its engine's order."""
    if isinstance(meta.get("date"), str) and meta["date"].strip() == INVALID_DATE:
        # What the crawler's JavaScript wrote for a date it could not read; Hexo, given a
        # date it cannot read, uses the file's time, so the importer does too.
        result.notes.append("the front matter says date: Invalid Date")
        meta = {**meta, "date": None}
    if present(meta, "date"):
        result.date = meta["date"]
        return
    if from_name is not None:
        result.date = from_name
        result.notes.append(f"no date: took {from_name:%Y-%m-%d} from the file name")
        return
    if path is not None and (found := date_in_path(path, zone)):
        result.date = found
        result.notes.append(f"no date: took {found:%Y-%m-%d} from its path '{path[:80]}'")
        return
    moment = file_time(context, zone)
    if moment is None:
        raise PostError("no date in the front matter or the file name, and no file time to use")
    result.date = moment
    result.notes.append(f"warning: no date: used the file's time ({moment:%Y-%m-%d %H:%M})")


def flat(value):
    """Jekyll, Hugo and Zola: every category is its own, never a parent of the next."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        value = value.split() if "," not in value else value.split(",")
    if not isinstance(value, list):
        value = [value]
    return [[item] for item in value if not isinstance(item, list | dict)]


def hexo(meta, site_path, context, zone):
    """Hexo's post processor: the date from the front matter, else from the file name when
    new_post_name encodes one, else the file's time; the slug is the file name's :title."""
    result = Interpretation()
    site = context.site
    stem, bundle = stem_and_bundle(site_path)
    named = leading_date(stem, zone) if ":year" in site.new_post_name else None
    from_name = named[0] if named else None
    if not site.engine:  # a loose file: a date anywhere in its name, as before any engine
        from_name = date_in_path(PurePosixPath(site_path).name, zone)
    fallback_date(meta, result, context, zone, from_name=from_name)
    result.categories = meta["categories"] if "categories" in meta else meta.get("category")
    # hexo-generator-alias's `alias`; `aliases` as Hugo and Zola write it, and as
    # export_articles writes a post's old addresses.
    aliases = as_list(meta.get("alias")) + as_list(meta.get("aliases"))
    result.used_keys = {"alias", "aliases"}
    if site.engine == "hexo":
        # :title is the path below _posts without the suffix (and without the date the
        # file name carries when new_post_name puts one there).
        below = site_path.split("_posts/", 1)[-1]
        title_path = str(PurePosixPath(below).with_suffix("")) if not bundle else stem
        if named:
            title_path = str(PurePosixPath(title_path).parent / named[1]).removeprefix("./")
        result.slug = str(meta.get("slug") or title_path)
        result.old_urls = [hexo_url(meta, result, site)]
        # Our slug is one path segment; the folders below _posts stay in the old address.
        result.slug = PurePosixPath(result.slug).name
    result.old_urls += aliases
    return result


def hexo_url(meta, result, site):
    if present(meta, "permalink") and isinstance(meta["permalink"], str):
        return site.base_path + meta["permalink"].lstrip("/")
    moment = result.date if isinstance(result.date, datetime) else None
    if moment is None:
        from .parsing import parse_date  # only for the URL; parse_post checks it properly

        try:
            moment = parse_date(result.date, None)
        except PostError:
            return ""
    values = date_values(moment)
    values.update(title=result.slug, name=PurePosixPath(result.slug).name, post_title=result.slug)
    return site.base_path + expand(site.permalink, values).lstrip("/")


def jekyll(meta, site_path, context, zone):
    """Jekyll: a post's file name is YYYY-MM-DD-slug; it gives the date and the slug, and
    a title when the front matter has none (Jekyll titleizes the slug)."""
    result = Interpretation()
    stem, _ = stem_and_bundle(site_path)
    named = leading_date(stem, zone)
    fallback_date(meta, result, context, zone, from_name=named[0] if named else None)
    slug_part = named[1] if named else stem
    result.slug = str(meta.get("slug") or slug_part)
    if not present(meta, "title"):
        result.title = " ".join(word.capitalize() for word in slug_part.split("-") if word)
        if result.title:
            result.notes.append(f"no title: Jekyll's title from the file name ('{result.title}')")
    categories = flat(meta.get("categories")) + flat(meta.get("category"))
    result.categories = categories
    tags = meta["tags"] if "tags" in meta else meta.get("tag")
    result.tags = tags.split() if isinstance(tags, str) else tags  # 'tags: a b c' is three
    result.used_keys = {"categories", "category", "tags", "tag"}
    result.published = meta.get("published") is not False
    pattern = (
        meta["permalink"] if isinstance(meta.get("permalink"), str) else context.site.permalink
    )
    pattern = JEKYLL_STYLES.get(pattern, pattern)
    result.old_urls = []
    if context.site.engine == "jekyll" and pattern:
        moment = result.date if isinstance(result.date, datetime) else safe_date(result.date, zone)
        values = date_values(moment) if moment else {}
        values.update(
            title=result.slug,
            slug=result.slug,
            categories="/".join(str(c[0]).lower() for c in categories),
            output_ext=".html",
        )
        result.old_urls.append(context.site.base_path + expand(pattern, values).lstrip("/"))
    result.old_urls += as_list(meta.get("redirect_from"))
    return result


def hugo(meta, site_path, context, zone):
    """Hugo: `draft: true` is not published; categories are a flat taxonomy; the slug is
    `slug`, else the file's (or its bundle's) name; `url` and `aliases` are old addresses."""
    result = Interpretation()
    stem, _ = stem_and_bundle(site_path)
    for key in ("date", "publishdate", "pubdate", "published", "lastmod"):
        if present(meta, key):
            result.date = meta[key]
            if key != "date":
                result.notes.append(f"no date: took '{key}' as Hugo does")
            break
    else:
        named = leading_date(stem, zone)
        fallback_date(meta, result, context, zone, from_name=named[0] if named else None)
    result.slug = str(meta.get("slug") or stem)
    result.categories = flat(meta.get("categories"))
    result.used_keys = {"categories", "draft", "aliases", "url", "authors"}
    result.published = not is_true(meta.get("draft")) and meta.get("published") is not False
    result.author = meta.get("author") or first(meta.get("authors"), result, "authors")
    content_path = site_path.split("content/", 1)[-1]
    section = content_path.split("/", 1)[0] if "/" in content_path else ""
    if present(meta, "url"):
        result.old_urls.append(str(meta["url"]))
    elif context.site.engine == "hugo":
        pattern = dict(context.site.section_permalinks).get(section)
        if pattern:
            moment = (
                result.date if isinstance(result.date, datetime) else safe_date(result.date, zone)
            )
            values = date_values(moment) if moment else {}
            values.update(
                slug=result.slug,
                title=slugify_url(str(meta.get("title") or result.slug)),
                filename=stem,
                section=section,
                slugorfilename=result.slug,
                contentbasename=stem,
                slugorcontentbasename=result.slug,
            )
            result.old_urls.append(context.site.base_path + expand(pattern, values).lstrip("/"))
        else:
            folder = str(PurePosixPath(content_path).parent)
            if stem_and_bundle(site_path)[1]:
                folder = str(PurePosixPath(folder).parent)
            prefix = "" if folder in (".", "") else folder + "/"
            result.old_urls.append(f"{context.site.base_path}{prefix}{result.slug}/")
    result.old_urls += as_list(meta.get("aliases"))
    return result


def zola(meta, site_path, context, zone):
    """Zola: the date from the front matter, else the file name's leading date, else one in
    `path`; taxonomies live in their own table; `authors` is a list; `draft` is unpublished."""
    result = Interpretation()
    stem, _ = stem_and_bundle(site_path)
    named = leading_date(stem, zone)
    path = meta.get("path") if isinstance(meta.get("path"), str) else None
    fallback_date(meta, result, context, zone, from_name=named[0] if named else None, path=path)
    result.slug = str(meta.get("slug") or (named[1] if named else stem))
    taxonomies = meta.get("taxonomies") if isinstance(meta.get("taxonomies"), dict) else {}
    # Gutenberg, Zola's name before 0.5, had `category` and `tags` at the top level.
    result.categories = flat(
        taxonomies.get("categories") or meta.get("categories") or meta.get("category")
    )
    result.tags = taxonomies.get("tags") if "tags" in taxonomies else meta.get("tags")
    result.used_keys = {
        "taxonomies",
        "categories",
        "category",
        "tags",
        "draft",
        "aliases",
        "path",
        "authors",
    }
    if isinstance(meta.get("extra"), dict):
        result.extra = {f"extra.{k}": v for k, v in meta["extra"].items()}
        result.used_keys.add("extra")
    other_taxonomies = {k: v for k, v in taxonomies.items() if k not in ("categories", "tags")}
    if other_taxonomies:
        result.extra["taxonomies"] = other_taxonomies
    result.published = not is_true(meta.get("draft"))
    result.author = meta.get("author") or first(meta.get("authors"), result, "authors")
    if path is not None:
        result.old_urls.append(context.site.base_path + path.strip("/") + "/")
    elif context.site.engine == "zola":
        content_path = site_path.split("content/", 1)[-1]
        folder = PurePosixPath(content_path).parent
        if stem_and_bundle(site_path)[1]:
            folder = folder.parent
        prefix = "" if str(folder) in (".", "") else f"{folder}/"
        result.old_urls.append(f"{context.site.base_path}{prefix}{result.slug}/")
    result.old_urls += as_list(meta.get("aliases"))
    return result


def first(value, result, key):
    """An engine's list of authors: our article has one author, the rest stay in extra."""
    if isinstance(value, list) and value:
        if len(value) > 1:
            result.extra[key] = value
            result.notes.append(f"{len(value)} authors: the first is the article's author")
        return value[0]
    return value if isinstance(value, str) else None


def is_true(value):
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def as_list(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def safe_date(value, zone):
    from .parsing import parse_date

    try:
        return parse_date(value, zone)
    except PostError:
        return None


def date_values(moment):
    if moment is None:
        return {}
    return {
        "year": f"{moment.year:04d}",
        "month": f"{moment.month:02d}",
        "day": f"{moment.day:02d}",
        "i_month": str(moment.month),
        "i_day": str(moment.day),
        "hour": f"{moment.hour:02d}",
        "minute": f"{moment.minute:02d}",
        "second": f"{moment.second:02d}",
        "y_day": f"{moment.timetuple().tm_yday:03d}",
        "short_year": f"{moment.year % 100:02d}",
    }


def expand(pattern, values):
    """':year/:month/:title/' with the values known; an unknown placeholder stays empty."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), pattern).replace("//", "/")


def slugify_url(text):
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")


def clean_urls(urls, result):
    """Paths only, each once, without a scheme or host: what a request for it will carry."""
    paths = []
    for url in urls[: MAX_ALIASES + 1]:
        # Stored decoded, as Django hands request.path to the middleware.
        path = unquote(urlsplit(url.strip()).path) if url and url.strip() else ""
        path = re.sub(r"/{2,}", "/", "/" + path.lstrip("/"))
        if path != "/" and len(path) <= MAX_URL_LENGTH and path not in paths:
            paths.append(path)
    if len(urls) > MAX_ALIASES:
        result.notes.append(f"over {MAX_ALIASES} old addresses: kept the first {MAX_ALIASES}")
    return paths[:MAX_ALIASES]
