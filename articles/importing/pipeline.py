"""read -> parse -> clean -> sanitize, as one plain function a worker process can run.

The result is plain data (ArticleData or Failure), picklable, with no Django in it.
"""

import multiprocessing
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..content import derive, sanitize
from ..strings import clean_name, is_visible
from ..tokens import document
from . import limits, orphans
from .cleaning import clean_body
from .engines import FileContext
from .errors import PostError
from .parsing import parse_post
from .reading import raw_post_from_bytes, raw_post_from_text, read_bytes


@dataclass
class ArticleData:
    """One article as the importer will store it: every field final, nothing left to derive."""

    rel_path: str
    content_hash: str
    raw_text: str
    title: str
    slug: str
    original_title: str
    source: str
    author: str
    editor: str
    categories: list
    tags: list
    body_html: str
    body_text: str
    excerpt: str
    lead_image_url: str
    thumbnail_url: str
    published_at: datetime
    updated_at: datetime | None
    comments_enabled: bool
    published: bool
    images: list = field(default_factory=list)  # (src, alt, caption) in reading order
    extra: dict = field(default_factory=dict)
    encoding: str = "utf-8"
    search_document: tuple = ()  # tokens.document(): built here, in the worker
    source_stat: tuple | None = None  # (size, mtime_ns) of the file it was read from
    source_root: str = ""  # real path of the directory root it was found under
    notes: list = field(default_factory=list)  # what was stripped or inferred, for the report
    old_urls: list = field(default_factory=list)  # its addresses on the site it came from
    context: dict = field(default_factory=dict)  # FileContext.as_dict(), for reprocessing


@dataclass
class Failure:
    rel_path: str
    error: str
    line: int | None = None

    def __str__(self):
        where = f"{self.rel_path}:{self.line}" if self.line else self.rel_path
        return f"{where}: {self.error}"


@lru_cache(maxsize=16)
def zone_named(name):
    return ZoneInfo(name)


def build_article(raw, zone_name, context=None):
    context = context or FileContext()
    post = parse_post(raw, zone_named(zone_name), context)
    cleaned = clean_body(post.body_html)
    notes = post.notes
    images = [(image.src, image.alt, image.caption) for image in cleaned.images]
    most = limits.current().images
    if len(images) > most:
        notes.append(f"{len(images)} images; the first {most} are listed (the body keeps all)")
        images = images[:most]
    original_title, source, editor = (
        body_name(cleaned.original_title, "original title", notes),
        body_name(cleaned.source, "source", notes),
        body_name(cleaned.editor, "editor", notes),
    )
    lead = post.lead_image_url if post.lead_image_url not in cleaned.boilerplate_images else ""
    thumbnail = post.thumbnail_url if post.thumbnail_url not in cleaned.boilerplate_images else ""
    # The same derivation as an admin save (Article.refresh_derived), so the two agree; the
    # body given to it is already settled (see stored_body), so derive changes it no more.
    fields = derive(
        title=post.title,
        body_html=stored_body(cleaned.html, twice=bool(context.site.engine)),
        excerpt=post.excerpt,
        original_title=original_title,
        sanitized=True,
    )
    category_names = dict.fromkeys(name for chain in post.categories for name in chain)
    names = [fields.original_title, post.author, editor, source]
    return ArticleData(
        rel_path=raw.rel_path,
        content_hash=raw.content_hash,
        raw_text=raw.text,
        title=fields.title,
        slug=post.slug,
        original_title=fields.original_title,
        source=source,
        author=post.author,
        editor=editor,
        categories=post.categories,
        tags=post.tags,
        body_html=fields.body_html,
        body_text=fields.body_text,
        excerpt=fields.excerpt,
        lead_image_url=lead or (images[0][0] if images else ""),
        thumbnail_url=thumbnail or lead or (images[0][0] if images else ""),
        published_at=post.published_at,
        updated_at=post.updated_at,
        comments_enabled=post.comments_enabled,
        published=post.published,
        images=images,
        extra=post.extra,
        encoding=raw.encoding,
        search_document=document(
            fields.title, [*names, *category_names, *post.tags], fields.body_text
        ),
        notes=notes,
        old_urls=post.old_urls,
        context=context.as_dict() if context.site.engine or context.mtime_ns else {},
    )


def body_name(text, what, notes):
    """A name the cleaner found in the body, under the same rules as front-matter names."""
    name, changes = clean_name(text)
    notes.extend(f"{what} '{name[:30]}': {change}" for change in changes)
    return name if is_visible(name) else ""


def stored_body(cleaned_html, twice=False):
    """The sanitized body, which cleaning again must leave as it is.

    A <figure> in a paragraph is closed out of it by the sanitizer's parser, leaving an empty
    <p></p>: dropped. Blog posts carry markup the sanitizer reshapes further (a <center> or
    raw XML it unwraps leaves blank lines and leading spaces that cleaning would then trim),
    so theirs is cleaned and sanitized once more; the crawled files, tens of thousands a
    day, come out settled after one pass.
    """
    body = sanitize(cleaned_html).replace("<p></p>", "").strip()
    if twice:
        body = sanitize(clean_body(body).html).replace("<p></p>", "").strip()
    return body


def worker_context():
    """How parsing processes start: forkserver, not fork, so they hold none of the parent's
    database connections or threads, and import only this Django-free pipeline (with the
    tables it builds once, see preload)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([f"{__package__}.preload"])
    return context


def worker_start(bounds, importer_pid):
    """Initializer of every parsing process: the run's limits, and an end when the importer
    dies (see orphans)."""
    limits.use(bounds)
    orphans.exit_with(importer_pid)


def process_post(task):
    """Worker entry point: (rel_path, the file's bytes or its path, zone name, FileContext).
    Bytes are the caller's when it read them to compare with what was stored; a new file is
    read here."""
    rel_path, source, zone_name, *rest = task
    context = rest[0] if rest else None

    def raw_post():
        data = source if isinstance(source, bytes) else read_bytes(source)
        return raw_post_from_bytes(rel_path, data)

    return build_or_fail(rel_path, raw_post, zone_name, context)


def build_or_fail(rel_path, make_raw, zone_name, context=None):
    """Bad input becomes a Failure naming the file (and line); it never raises."""
    try:
        return build_article(make_raw(), zone_name, context)
    except PostError as error:
        return Failure(rel_path, error.message, error.line)
    except RecursionError:
        return Failure(rel_path, "markup is nested too deeply to parse")


def process_stored_task(task):
    """Worker entry point for reprocess_articles: the raw text kept with an article, read
    in the context (engine, site, file time) it was first imported with."""
    rel_path, text, digest, zone_name, *rest = task
    context = FileContext.from_dict(rest[0]) if rest and rest[0] else None
    return build_or_fail(
        rel_path, lambda: raw_post_from_text(rel_path, text, digest), zone_name, context
    )
