"""Front-matter keys -> typed fields, with Hexo's semantics. No Django here."""

import email.utils
import html
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from ..content import safe_url
from ..strings import clean_name, is_visible, xml_safe
from . import limits
from .bodies import render_body
from .engines import FileContext, interpret
from .errors import PostError
from .yaml_front import load_yaml

MAX_TAG_LENGTH = 100  # taggit's Tag.name
MAX_NAME_LENGTH = 200
MAX_TITLE_LENGTH = 500
MAX_CATEGORY_PATH = 1000  # Category.path, the names joined by ' / '
MAX_EXTRA_DEPTH = 20  # an unknown key's value nested deeper is not data anyone wrote by hand
TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")

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
    "markup",
}
# Hugo's `markup` names the body's format where the file's suffix would: HTML is taken as
# it is, Markdown rendered, without looking at the body to guess.
MARKUPS = {"html": "html", "htm": "html", "markdown": "markdown", "md": "markdown"}
MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
# What Ruby's Time.parse (Jekyll) reads and fromisoformat does not: '2023-01-29 18:30:22
# 2023 -0800' (a year typed twice), '2010-10-18 10:00:00 +0100', '2019-05-02T13:00'.
LENIENT_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
    r"(?:\s+\d{4})?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$"
)
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
    notes: list = field(default_factory=list)  # what was stripped or inferred, for the report
    old_urls: list = field(default_factory=list)  # the post's addresses on its own site


def load_front_matter(text, front_format, first_line):
    try:
        return read_front_matter(text, front_format, first_line)
    except RecursionError as error:  # '[[[[...' a thousand deep, in any of the three formats
        raise PostError("front matter is nested too deeply", line=first_line) from error


def read_front_matter(text, front_format, first_line):
    if not front_format:
        return {}
    if front_format == "yaml":
        data = load_yaml(text, first_line)
    elif front_format == "json":
        try:
            data = json.loads(
                "{" + text.strip().removeprefix("{").removesuffix("}") + "}",
                object_pairs_hook=unique_json_keys,
            )
        except PostError as error:  # a repeated key: find its second occurrence
            error.line = first_line + json_key_line(text, error.key)
            raise
        except json.JSONDecodeError as error:
            raise PostError(
                f"front matter is not valid JSON: {error.msg}", line=first_line + error.lineno - 1
            ) from error
        except ValueError as error:  # a number past Python's 4,300-digit limit
            problem = str(error).split(";")[0]  # the rest advises sys.set_int_max_str_digits
            raise PostError(
                f"front matter is not valid JSON: {problem}", line=first_line
            ) from error
    else:
        try:
            data = tomllib.loads(text)
        except ValueError as error:  # TOMLDecodeError, or a number past the digit limit
            # tomllib counts lines from the fence: '(at line 2, column 8)' -> the file's line.
            where = TOML_POSITION.search(str(error))
            line = first_line + int(where.group(1)) - 1 if where else first_line
            problem = TOML_POSITION.sub("", str(error).split(";")[0]).strip()
            raise PostError(f"front matter is not valid TOML: {problem}", line=line) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PostError(
            f"front matter must be a mapping of keys, not {type(data).__name__}", line=first_line
        )
    # Hexo reads keys case-insensitively in practice (Title == title).
    return {str(key).strip().lower(): value for key, value in data.items()}


def unique_json_keys(pairs):
    """JSON's own rule is last-wins; YAML front matter refuses a repeated key, so JSON does too
    (the line is the front matter's: json has already lost the position)."""
    seen = set()
    for key, _ in pairs:
        if key.lower() in seen:
            error = PostError(f"duplicate key '{key}'")
            error.key = key
            raise error
        seen.add(key.lower())
    return dict(pairs)


def json_key_line(text, key):
    """0-based line of the second time `key` is written as a key (any case), else 0."""
    found = list(re.finditer(re.escape(json.dumps(key)) + r"\s*:", text, re.IGNORECASE))
    return text.count("\n", 0, found[1].start()) if len(found) > 1 else 0


def plain_text(text):
    """Escapes in YAML/JSON/TOML ("\\u0000", "\\ud800") decode to characters the file never
    held; what XML or the database cannot hold goes (see articles.strings)."""
    return xml_safe(text)


def as_text(value, what):
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return plain_text(str(value)).strip()
    if isinstance(value, dict) and "name" in value:
        return as_text(value["name"], what)
    raise PostError(f"{what} must be text, not {type(value).__name__}")


def as_name(value, what, notes):
    """A title or name: text, entities decoded, invisible characters out (see clean_name)."""
    text = as_text(value, f"a {what}" if what in ("category", "tag") else what)
    name, changes = clean_name(text)
    if text and not is_visible(name):
        notes.append(f"{what} has no visible characters; left out")
        return ""
    notes.extend(f"{what} '{name[:30]}': {change}" for change in changes)
    return name


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


def parse_categories(value, notes=None):
    """Hexo's rule: a flat list is ONE hierarchy; if any item is a list, each item is its own."""
    notes = [] if notes is None else notes
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        value = [value]
    nested = any(isinstance(item, list) for item in value)
    hierarchies = (
        [item if isinstance(item, list) else [item] for item in value] if nested else [value]
    )
    most, deepest = limits.current().categories, limits.current().category_depth
    if len(hierarchies) > most:
        raise PostError(f"{len(hierarchies)} category hierarchies (limit {most})")
    result = []
    for chain in hierarchies:
        names = tuple(check_name(as_name(name, "category", notes), "category") for name in chain)
        names = tuple(name for name in names if name)
        if len(names) > deepest:
            raise PostError(f"category hierarchy is {len(names)} levels deep (limit {deepest})")
        if len(" / ".join(names)) > MAX_CATEGORY_PATH:
            raise PostError(f"category path is longer than {MAX_CATEGORY_PATH} characters")
        if names and names not in result:
            result.append(names)
    return result


def parse_tags(value, notes=None):
    """Each item is one tag, as in Hexo: 'a, b，c' is one tag with commas in its name."""
    notes = [] if notes is None else notes
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    tags, seen = [], set()
    for item in items:
        name = check_name(as_name(item, "tag", notes), "tag")
        if len(name) > MAX_TAG_LENGTH:
            notes.append(f"tag '{name[:30]}…' cut to {MAX_TAG_LENGTH} characters")
            name = name[:MAX_TAG_LENGTH].rstrip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            tags.append(name)
    if len(tags) > limits.current().tags:
        raise PostError(f"{len(tags)} tags (limit {limits.current().tags})")
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
    return lenient_date(text)


def lenient_date(text):
    found = LENIENT_DATE.match(text)
    if not found:
        return None
    year, month, day, hour, minute, second, offset = found.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
        if offset and offset not in ("Z", "UTC", "GMT"):
            offset = offset.replace(":", "")
            sign = -1 if offset[0] == "-" else 1
            minutes = sign * (int(offset[1:3]) * 60 + int(offset[3:5]))
            return moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    except ValueError:  # '2022-02-30', '+25:00': not a date, as for the formats above
        return None
    if offset:
        return moment.replace(tzinfo=UTC)
    return moment


def markup_of(meta, notes):
    written = meta.get("markup")
    name = written.strip().lower() if isinstance(written, str) else ""
    if written not in (None, "") and name not in MARKUPS:
        shown = str(written)[:30]
        notes.append(f"markup '{shown}' is not a format the archive reads; told by the body")
    return MARKUPS.get(name, "")


def slug_hint(meta, notes):
    slug = as_name(meta.get("slug"), "slug", notes)
    if not slug and meta.get("permalink"):
        slug = PurePosixPath(as_name(meta["permalink"], "permalink", notes).strip("/")).name
        slug = slug.removesuffix(".html")
    return slug


def extra_of(meta, used=(), added=None):
    """Keys with no meaning of their own, kept as JSON, within the limits. `used`: keys the
    file's engine gave a meaning; `added`: what the engine keeps besides (Zola's [extra])."""
    extra = {
        plain_text(key): json_safe(value, key)
        for key, value in meta.items()
        if key not in KNOWN_KEYS and key not in used
    }
    extra.update((key, json_safe(value, key)) for key, value in (added or {}).items())
    bound = limits.current()
    if len(extra) > bound.extra_keys:
        raise PostError(
            f"{len(extra)} front matter keys of no known meaning (limit {bound.extra_keys})"
        )
    if extra:
        size = len(json.dumps(extra, ensure_ascii=False))
        if size > bound.extra_chars:
            raise PostError(
                f"front matter keys of no known meaning take {size:,} characters as JSON "
                f"(limit {bound.extra_chars:,})"
            )
    return extra


def json_safe(value, key="", depth=0):
    """Unknown keys go to a JSONField: dates become ISO strings, everything else stays."""
    if depth > MAX_EXTRA_DEPTH:
        # The JSON encoder recurses too: deep enough, it raised inside the writer's batch.
        raise PostError(f"front matter key '{key}' is nested over {MAX_EXTRA_DEPTH} levels deep")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {plain_text(str(k)): json_safe(v, key, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, key, depth + 1) for v in value]
    if isinstance(value, str):
        return plain_text(value)  # PostgreSQL's jsonb refuses \u0000
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no inf or nan; PostgreSQL refuses them
    if value is None or isinstance(value, bool | int | float):
        return value
    return plain_text(str(value))


def parse_post(raw, zone, context=None):
    """Front matter and body -> ParsedPost, read the way the file's engine reads it."""
    context = context or FileContext()
    if not raw.front_matter.strip() and not raw.body.strip():
        # An engine would publish an empty page; nobody wrote it, so it is not archived.
        raise PostError("empty file: no front matter and no text")
    meta = load_front_matter(raw.front_matter, raw.front_format, raw.front_line)
    notes = list(raw.notes)
    engine = interpret(meta, raw.body, raw.rel_path, context, zone, bool(raw.front_format))
    notes.extend(engine.notes)
    title = as_name(engine.title, "title", notes)
    if not title:
        written = as_text(engine.title, "title")
        raise PostError(
            "title has no visible characters"
            if written
            else "no title in the front matter, no heading and no file name to use"
        )
    if len(title) > MAX_TITLE_LENGTH:
        raise PostError(f"title is {len(title)} characters long (limit {MAX_TITLE_LENGTH})")
    published_at = parse_date(engine.date, zone)
    updated = meta.get("updated")
    body = raw.body
    excerpt = as_text(meta.get("excerpt") or meta.get("description"), "excerpt")
    more = MORE_MARKER.search(body)
    markup = markup_of(meta, notes)
    rendered = render_body(body, context.site.engine, raw.rel_path, title, markup)
    notes.extend(rendered.warnings)
    if more and not excerpt:
        start = body[: more.start()]
        excerpt_html = render_body(start, context.site.engine, raw.rel_path, title, markup).html
        excerpt = html.unescape(re.sub(r"<[^>]+>", "", excerpt_html)).strip()  # text, not HTML
    return ParsedPost(
        title=title,
        published_at=published_at,
        updated_at=parse_date(updated, zone, "updated") if updated not in (None, "") else None,
        categories=parse_categories(engine.categories, notes),
        tags=parse_tags(
            engine.tags
            if engine.tags is not None
            else (meta["tags"] if "tags" in meta else meta.get("tag")),
            notes,
        ),
        author=check_name(as_name(engine.author or meta.get("author"), "author", notes), "author"),
        comments_enabled=as_bool(meta.get("comments"), default=True),
        published=engine.published and as_bool(meta.get("published"), default=True),
        excerpt=xml_safe(excerpt),
        slug=as_name(engine.slug, "slug", notes) if context.site.engine else slug_hint(meta, notes),
        # Rendered into <img src> and og:image: a javascript:/data: URL is dropped, not kept.
        lead_image_url=safe_url(as_text(meta.get("headimg") or meta.get("cover"), "headimg")),
        thumbnail_url=safe_url(as_text(meta.get("thumbnail"), "thumbnail")),
        extra=extra_of(meta, engine.used_keys, engine.extra),
        body_html=rendered.html,
        old_urls=engine.old_urls,
        notes=notes,
    )
