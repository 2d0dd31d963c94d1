"""Front-matter keys -> typed fields, with Hexo's semantics. No Django here."""

import email.utils
import html
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

import markdown
import yaml

from .errors import PostError
from .reading import strip_controls
from .sanitizing import safe_url

# Real front matter uses no aliases. With k aliases a "billion laughs" nesting can expand
# to about e**(k/e) nodes: 20 keeps that near 1,600, so walking the data stays cheap.
MAX_ALIASES = 20
MAX_CATEGORY_DEPTH = 10
MAX_TAGS = 200
MAX_NAME_LENGTH = 200
MAX_TITLE_LENGTH = 500

# Keys with a meaning of their own; every other key is kept in Article.extra.
KNOWN_KEYS = {
    "title",
    "date",
    "updated",
    "categories",
    "category",
    "tags",
    "tag",
    "author",
    "comments",
    "published",
    "excerpt",
    "description",
    "slug",
    "permalink",
    "headimg",
    "thumbnail",
    "cover",
    "layout",
}
BLOCK_HTML = re.compile(
    r"<(p|div|h[1-6]|ul|ol|table|blockquote|pre|figure|section|article|img|br)\b", re.IGNORECASE
)
MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
]


@dataclass
class ParsedPost:
    """The front matter, typed. Body is HTML (Markdown already rendered)."""

    title: str
    published_at: datetime
    updated_at: datetime | None = None
    categories: list = field(default_factory=list)  # one tuple of names per hierarchy
    tags: list = field(default_factory=list)
    author: str = ""
    comments_enabled: bool = True
    published: bool = True
    excerpt: str = ""
    slug: str = ""
    lead_image_url: str = ""
    thumbnail_url: str = ""
    extra: dict = field(default_factory=dict)
    body_html: str = ""


class UniqueKeyLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key.lower() in seen:
                raise PostError(f"duplicate key '{key}'", line=key_node.start_mark.line + 1)
            seen.add(key.lower() if isinstance(key, str) else key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text, first_line):
    if "*" in text:
        aliases = sum(
            isinstance(t, yaml.AliasToken) for t in yaml.scan(text, Loader=yaml.SafeLoader)
        )
        if aliases > MAX_ALIASES:
            raise PostError(f"YAML uses {aliases} aliases; refusing a possible alias bomb")
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except PostError as error:
        error.line = (error.line or 0) + first_line - 1
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + first_line if mark else None
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise PostError(f"front matter is not valid YAML: {problem}", line=line) from error


def load_front_matter(text, front_format, first_line):
    if not front_format:
        return {}
    if front_format == "yaml":
        data = load_yaml(text, first_line)
    elif front_format == "json":
        try:
            data = json.loads("{" + text.strip().removeprefix("{").removesuffix("}") + "}")
        except json.JSONDecodeError as error:
            raise PostError(
                f"front matter is not valid JSON: {error.msg}", line=first_line + error.lineno - 1
            ) from error
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PostError(f"front matter is not valid TOML: {error}", line=first_line) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PostError(
            f"front matter must be a mapping of keys, not {type(data).__name__}", line=first_line
        )
    # Hexo reads keys case-insensitively in practice (Title == title).
    return {str(key).strip().lower(): value for key, value in data.items()}


def as_text(value, what):
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        # YAML/JSON escapes ("\\u0001") decode to control characters the file never held.
        return strip_controls(str(value)).strip()
    if isinstance(value, dict) and "name" in value:
        return as_text(value["name"], what)
    raise PostError(f"{what} must be text, not {type(value).__name__}")


def as_bool(value, default=True):
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in {"false", "no", "off", "0", ""}
    return bool(value)


def check_name(name, what):
    if len(name) > MAX_NAME_LENGTH:
        raise PostError(f"{what} '{name[:30]}…' is longer than {MAX_NAME_LENGTH} characters")
    return name


def parse_categories(value):
    """Hexo's rule: a flat list is ONE hierarchy; if any item is a list, each item is its own."""
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        value = [value]
    nested = any(isinstance(item, list) for item in value)
    hierarchies = (
        [item if isinstance(item, list) else [item] for item in value] if nested else [value]
    )
    result = []
    for chain in hierarchies:
        names = tuple(check_name(as_text(name, "a category"), "category") for name in chain)
        names = tuple(name for name in names if name)
        if len(names) > MAX_CATEGORY_DEPTH:
            raise PostError(
                f"category hierarchy is {len(names)} levels deep (limit {MAX_CATEGORY_DEPTH})"
            )
        if names and names not in result:
            result.append(names)
    return result


def parse_tags(value):
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    tags, seen = [], set()
    for item in items:
        name = check_name(as_text(item, "a tag"), "tag")[:100]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            tags.append(name)
    if len(tags) > MAX_TAGS:
        raise PostError(f"{len(tags)} tags (limit {MAX_TAGS})")
    return tags


def parse_date(value, zone, what="date"):
    """An explicit zone is exact; a zone-less value is read in `zone`, never the machine's."""
    try:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time())
        elif isinstance(value, str) and value.strip():
            moment = parse_date_text(value.strip())
        else:
            raise PostError(f"{what} is empty or not a date: {value!r}")
        if moment is None:
            raise PostError(f"{what} '{value}' is not a date format we know")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        moment.astimezone(ZoneInfo("UTC"))  # out-of-range dates fail here, not in the database
        if not 1900 <= moment.year <= 2200:
            raise PostError(f"{what} '{value}' is out of range (years 1900-2200)")
        return moment
    except (OverflowError, ValueError) as error:
        raise PostError(f"{what} '{value}' is out of range: {error}") from error


def parse_date_text(text):
    if text[:3].isalpha():  # RFC 822, as the crawler writes it: 'Thu, 07 Apr 2022 13:21:43 GMT'
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        return moment
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def date_from_file_name(rel_path, zone):
    found = DATE_IN_NAME.search(PurePosixPath(rel_path).name)
    if not found:
        return None
    try:
        return datetime(*map(int, found.groups()), tzinfo=zone)
    except ValueError:
        return None


def render_body(body):
    """HTML stays HTML; a Markdown body (no block-level HTML) is rendered first."""
    if BLOCK_HTML.search(body):
        return body
    return markdown.markdown(body, extensions=["extra", "sane_lists"], output_format="html")


def slug_hint(meta):
    slug = as_text(meta.get("slug"), "slug")
    if not slug and meta.get("permalink"):
        slug = PurePosixPath(as_text(meta["permalink"], "permalink").strip("/")).name
        slug = slug.removesuffix(".html")
    return slug


def json_safe(value):
    """Unknown keys go to a JSONField: dates become ISO strings, everything else stays."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def parse_post(raw, zone):
    meta = load_front_matter(raw.front_matter, raw.front_format, raw.front_line)
    title = as_text(meta.get("title"), "title")
    if not title:
        raise PostError("no title in the front matter")
    if len(title) > MAX_TITLE_LENGTH:
        raise PostError(f"title is {len(title)} characters long (limit {MAX_TITLE_LENGTH})")
    if meta.get("date") not in (None, ""):
        published_at = parse_date(meta["date"], zone)
    else:
        published_at = date_from_file_name(raw.rel_path, zone)
        if published_at is None:
            raise PostError("no date in the front matter and none in the file name")
    updated = meta.get("updated")
    body = raw.body
    excerpt = as_text(meta.get("excerpt") or meta.get("description"), "excerpt")
    more = MORE_MARKER.search(body)
    body_html = render_body(body)
    if more and not excerpt:
        excerpt_html = render_body(body[: more.start()])
        excerpt = html.unescape(re.sub(r"<[^>]+>", "", excerpt_html)).strip()  # text, not HTML
    return ParsedPost(
        title=title,
        published_at=published_at,
        updated_at=parse_date(updated, zone, "updated") if updated not in (None, "") else None,
        categories=parse_categories(
            meta["categories"] if "categories" in meta else meta.get("category")
        ),
        tags=parse_tags(meta["tags"] if "tags" in meta else meta.get("tag")),
        author=check_name(as_text(meta.get("author"), "author"), "author"),
        comments_enabled=as_bool(meta.get("comments"), default=True),
        published=as_bool(meta.get("published"), default=True),
        excerpt=excerpt,
        slug=slug_hint(meta),
        # Rendered into <img src> and og:image: a javascript:/data: URL is dropped, not kept.
        lead_image_url=safe_url(as_text(meta.get("headimg") or meta.get("cover"), "headimg")),
        thumbnail_url=safe_url(as_text(meta.get("thumbnail"), "thumbnail")),
        extra={key: json_safe(value) for key, value in meta.items() if key not in KNOWN_KEYS},
        body_html=body_html,
    )
