"""The only import stage that touches the database.

Whole files are stored in batches, each in a transaction or (inside the importer's larger
transaction, see runner.COMMIT_FILES) a savepoint: a killed run never leaves half an article.
A batch that fails is rolled back and retried file by file, so one bad file cannot sink the
others.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from .. import cache_version
from ..curation import set_status
from ..models import (
    Article,
    ArticleImage,
    Author,
    Category,
    Editor,
    OldAddress,
    RawSource,
    Source,
    unicode_slug,
)
from . import stored_state
from .rows import attribute_values, insert_articles, insert_rows, update_rows

MAX_CATEGORY_URL = 1000  # Category.slug_path's length

CREATED, UPDATED, UNCHANGED, KEPT, FAILED = "created", "updated", "unchanged", "kept", "failed"

# Fields an import writes; everything else on Article belongs to editors or to identity.
IMPORTED_FIELDS = [
    "title",
    "original_title",
    "source",
    "author",
    "editor",
    "body_html",
    "body_text",
    "excerpt",
    "lead_image_url",
    "thumbnail_url",
    "published_at",
    "updated_at",
    "comments_enabled",
    "status",
    "content_hash",
    "source_size",
    "source_mtime_ns",
    "imported_at",
    "edited_at",
    "extra",
    "source_root",
]


@dataclass
class Outcome:
    rel_path: str
    action: str
    article_id: int | None = None
    error: str = ""
    note: str = ""  # worth telling at verbosity 2, e.g. "decoded as GB18030"


@dataclass(frozen=True)
class Identity:
    pk: int
    content_hash: str
    size: int | None
    mtime_ns: int | None
    root: str


def known_identities(rel_paths):
    """What the database already holds for these files: {rel_path: Identity}."""
    rows = Article.objects.filter(source_path__in=rel_paths).values_list(
        "pk", "source_path", "content_hash", "source_size", "source_mtime_ns", "source_root"
    )
    return {path: Identity(pk, *rest) for pk, path, *rest in rows}


def remember_stats(stats):
    """{article id: (size, mtime_ns)} for files found unchanged by their hash after a touch,
    so the next run can skip reading them."""
    update_rows(
        Article,
        ["source_size", "source_mtime_ns"],
        [(pk, size, mtime) for pk, (size, mtime) in stats.items()],
    )


def remember_roots(roots):
    """{article id: real import root} for articles stored before their root was kept."""
    update_rows(Article, ["source_root"], [(pk, root) for pk, root in roots.items()])


def vanished(seen):
    """[(source_path, id)] of published articles imported from these roots whose path is
    not in seen[root], the files this run walked there."""
    gone = []
    for root, paths in seen.items():
        rows = Article.objects.filter(
            source_root=root, status=Article.Status.PUBLISHED
        ).values_list("source_path", "pk")
        gone.extend((path, pk) for path, pk in rows.iterator(chunk_size=2000) if path not in paths)
    return sorted(gone)


def unpublish(article_ids):
    """--prune: through the editorial path, so each keeps a revision and counts as edited
    (a file that comes back does not silently republish it)."""
    return set_status(
        Article.objects.filter(pk__in=article_ids),
        Article.Status.DRAFT,
        comment="source file gone (import_articles --prune)",
    )


def raw_sources(article_ids=None, chunk_size=200):
    """(source_path, raw text, content hash, context) of imported articles, a page at a
    time by id.

    Pages by key rather than holding a cursor open, because the caller writes between pages.
    """
    rows = RawSource.objects.filter(article__source_path__isnull=False).order_by("article_id")
    if article_ids is not None:
        rows = rows.filter(article_id__in=list(article_ids))
    last = 0
    while page := list(
        rows.filter(article_id__gt=last).values_list(
            "article_id", "article__source_path", "text", "article__content_hash", "context"
        )[:chunk_size]
    ):
        last = page[-1][0]
        for _, path, text, digest, context in page:
            yield path, text, digest, context


def decide(item, existing, force, reprocess=False):
    """created / updated / unchanged / kept. `reprocess` re-stores even an unchanged file."""
    if existing is None:
        return CREATED
    if force:
        return UPDATED
    if existing.content_hash == item.content_hash and not reprocess:
        return UNCHANGED
    return KEPT if existing.edited_at else UPDATED


def plan_batch(items, *, force=False, reprocess=False):
    """What store_batch would do, writing nothing (--dry-run)."""
    existing = existing_articles(items)
    actions = decide_all(items, existing, force, reprocess)
    return [Outcome(item.rel_path, action) for item, action in zip(items, actions, strict=True)]


def decide_all(items, existing, force, reprocess):
    """decide() for each item; a re-processed article that would come out the same is
    unchanged, not updated."""
    actions = [decide(item, existing.get(item.rel_path), force, reprocess) for item in items]
    if reprocess and not force:
        same = stored_state.unchanged(
            [item for item, action in zip(items, actions, strict=True) if action == UPDATED]
        )
        actions = [
            UNCHANGED if action == UPDATED and item.rel_path in same else action
            for item, action in zip(items, actions, strict=True)
        ]
    return actions


def existing_articles(items):
    paths = [item.rel_path for item in items]
    return {
        article.source_path: article
        for article in Article.objects.filter(source_path__in=paths).only(
            "id",
            "source_path",
            "content_hash",
            "edited_at",
            "slug",
            "source_size",
            "source_mtime_ns",
        )
    }


def refused(rel_path, error):
    """The outcome of a file the database would not store."""
    return Outcome(rel_path, FAILED, error=f"database refused it: {error}")


def store_batch(items, *, force=False, reprocess=False):
    """Store whole files; returns one Outcome per item, in order. Their search index entries
    are the caller's to write, in the same transaction."""
    try:
        with transaction.atomic():
            outcomes = write_batch(items, force, reprocess)
            if any(outcome.action in (CREATED, UPDATED) for outcome in outcomes):
                # In the same transaction: readers see the new version with the new rows.
                cache_version.bump()
            return outcomes
    except (DatabaseError, ValueError) as error:
        if len(items) == 1:
            return [refused(items[0].rel_path, error)]
    # Retry one file at a time to find the culprit and keep the rest.
    return [
        outcome
        for item in items
        for outcome in store_batch([item], force=force, reprocess=reprocess)
    ]


def write_batch(items, force, reprocess):
    existing = existing_articles(items)
    actions = decide_all(items, existing, force, reprocess)
    to_write = [
        (item, action)
        for item, action in zip(items, actions, strict=True)
        if action in (CREATED, UPDATED)
    ]
    outcomes = {
        item.rel_path: Outcome(
            item.rel_path, action, getattr(existing.get(item.rel_path), "pk", None)
        )
        for item, action in zip(items, actions, strict=True)
    }
    if not to_write:
        return [outcomes[item.rel_path] for item in items]

    writing = [item for item, _ in to_write]
    people = {
        "author": names_to_ids(Author, {i.author for i in writing}),
        "editor": names_to_ids(Editor, {i.editor for i in writing}),
        "source": names_to_ids(Source, {i.source for i in writing}),
    }
    categories = chains_to_ids({chain for i in writing for chain in map(tuple, i.categories)})
    tags = tag_ids({tag for i in writing for tag in i.tags})
    now = timezone.now()

    created, updated = [], []
    for item, action in to_write:
        if action == CREATED:
            article = Article(source_path=item.rel_path)
            created.append((item, article))
        else:
            article = existing[item.rel_path]
            updated.append((item, article))
        fill(article, item, people, now)
    assign_slugs(created)
    insert_articles([article for _, article in created])
    if updated:
        update_rows(
            Article,
            IMPORTED_FIELDS,
            [(a.pk, *attribute_values(a, IMPORTED_FIELDS)) for _, a in updated],
        )
        replace_related([a.pk for _, a in updated])

    pairs = created + updated
    write_related(pairs, categories, tags)
    insert_rows(
        RawSource,
        ["article", "text", "context"],
        [(a.pk, item.raw_text, item.context) for item, a in pairs],
    )
    write_old_addresses(pairs)
    for item, article in pairs:
        outcomes[item.rel_path].article_id = article.pk
    return [outcomes[item.rel_path] for item in items]


def fill(article, item, people, now):
    """`item`: a pipeline.ArticleData."""
    article.title = item.title[:500]
    article.original_title = item.original_title[:500]
    article.author_id = people["author"].get(item.author)
    article.editor_id = people["editor"].get(item.editor)
    article.source_id = people["source"].get(item.source)
    article.body_html = item.body_html
    article.body_text = item.body_text
    article.excerpt = item.excerpt
    article.lead_image_url = item.lead_image_url[:1000]
    article.thumbnail_url = item.thumbnail_url[:1000]
    article.published_at = item.published_at
    article.updated_at = item.updated_at
    article.comments_enabled = item.comments_enabled
    article.status = Article.Status.PUBLISHED if item.published else Article.Status.DRAFT
    article.content_hash = item.content_hash
    if item.source_stat:  # reprocess_articles has no file to stat: keep what was stored
        article.source_size, article.source_mtime_ns = item.source_stat
    if item.source_root:  # a directory root's real path (a file named alone has none)
        article.source_root = item.source_root
    article.imported_at = now
    article.edited_at = None  # the file's text wins: only --force or a new article get here
    article.extra = item.extra


def replace_related(article_ids):
    """A changed file replaces its categories, tags, images and raw text; no duplicates."""
    Article.categories.through.objects.filter(article_id__in=article_ids).delete()
    TaggedItem.objects.filter(content_type=article_type(), object_id__in=article_ids).delete()
    ArticleImage.objects.filter(article_id__in=article_ids).delete()
    RawSource.objects.filter(article_id__in=article_ids).delete()
    OldAddress.objects.filter(article_id__in=article_ids).delete()


def write_old_addresses(pairs):
    """Each article's addresses on its original site. An address another article already
    answers stays with that one (the first imported wins); the file says so in its notes."""
    wanted = {}
    for item, article in pairs:
        for path in item.old_urls:
            if path in wanted:
                item.notes.append(f"old address {path} already leads to another article")
            else:
                wanted[path] = (item, article)
    taken = set(OldAddress.objects.filter(path__in=wanted).values_list("path", flat=True))
    for path in taken:
        wanted.pop(path)[0].notes.append(f"old address {path} already leads to another article")
    insert_rows(
        OldAddress, ["path", "article"], [(path, a.pk) for path, (_, a) in sorted(wanted.items())]
    )


def write_related(pairs, categories, tags):
    links = {
        (article.pk, category_id)
        for item, article in pairs
        for chain in item.categories
        for category_id in categories[tuple(chain)]
    }
    insert_rows(Article.categories.through, ["article", "category"], sorted(links))
    content_type_id = article_type().pk
    insert_rows(
        TaggedItem,
        ["tag", "content_type", "object_id"],
        [
            (tags[tag.lower()], content_type_id, article.pk)
            for item, article in pairs
            for tag in item.tags
        ],
    )
    insert_rows(
        ArticleImage,
        ["article", "position", "src", "alt", "caption"],
        [
            (article.pk, n, src[:1000], alt[:500], caption[:1000])
            for item, article in pairs
            for n, (src, alt, caption) in enumerate(item.images)
        ],
    )


def article_type():
    return ContentType.objects.get_for_model(Article)


def names_to_ids(model, names):
    names = {name for name in names if name}
    if not names:
        return {}
    found = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    for name in sorted(names - found.keys()):
        obj = model(name=name, slug=free_slug(model, unicode_slug(name, fallback="n")))
        obj.save()
        found[name] = obj.pk
    return found


def free_slug(model, slug, field="slug", max_length=200, **scope):
    """The slug, or slug-2, slug-3... whichever is free, never longer than max_length."""
    slug = slug[:max_length]
    candidate, n = slug, 1
    while model.objects.filter(**{field: candidate}, **scope).exists():
        n += 1
        candidate = f"{slug[: max_length - 10]}-{n}"
    return candidate


def chains_to_ids(chains):
    """{chain: [category ids of every level]}: the article belongs to each level, as in Hexo."""
    result, by_path = {}, {}
    wanted = {
        Category.PATH_SEPARATOR.join(chain[: n + 1]) for chain in chains for n in range(len(chain))
    }
    for category in Category.objects.filter(path__in=wanted):
        by_path[category.path] = category
    for chain in sorted(chains, key=len):
        parent, ids = None, []
        for depth in range(len(chain)):
            path = Category.PATH_SEPARATOR.join(chain[: depth + 1])
            category = by_path.get(path)
            if category is None or category.parent_id != (parent.pk if parent else None):
                category = category_in(parent, chain[depth])
                by_path[path] = category
            ids.append(category.pk)
            parent = category
        result[chain] = ids
    return result


def category_in(parent, name):
    category = Category.objects.filter(parent=parent, name=name).first()
    if category:
        return category
    slug = unicode_slug(name, fallback="category")
    prefix = f"{parent.slug_path}/" if parent else ""
    n, candidate = 1, slug
    while Category.objects.filter(slug_path=prefix + candidate).exists():
        n += 1
        candidate = f"{slug[:190]}-{n}"
    if len(prefix + candidate) > MAX_CATEGORY_URL:
        # Slugifying can lengthen a name (NFKC), so the parser's limit on names is not enough.
        raise ValueError(f"category path is over {MAX_CATEGORY_URL} characters as a URL")
    category = Category(parent=parent, name=name, slug=candidate)
    category.save()
    return category


def tag_ids(names):
    """{lowercased name: tag id}; tags match case-insensitively, like TAGGIT_CASE_INSENSITIVE."""
    if not names:
        return {}
    lowered = {name.lower(): name for name in names}
    found = dict(
        Tag.objects.annotate(key=Lower("name"))
        .filter(key__in=lowered.keys())
        .values_list("key", "pk")
    )
    for key in sorted(lowered.keys() - found.keys()):
        # Our own free slug: taggit's "_1" suffix can push a 100-character slug past its column.
        slug = free_slug(Tag, unicode_slug(lowered[key], fallback="tag"), max_length=100)
        tag = Tag(name=lowered[key], slug=slug)
        tag.save()
        found[key] = tag.pk
    return found


def assign_slugs(pairs):
    """Unique slugs for new articles: the front matter's or the title's, then -2, -3..."""
    wanted = [
        (
            article,
            unicode_slug(item.slug or item.title, fallback=f"article-{item.content_hash[:8]}"),
        )
        for item, article in pairs
    ]
    taken = set(
        Article.objects.filter(slug__in={s for _, s in wanted}).values_list("slug", flat=True)
    )
    for article, slug in wanted:
        candidate, n = slug, 1
        while candidate in taken or (n > 1 and Article.objects.filter(slug=candidate).exists()):
            n += 1
            candidate = f"{slug[:240]}-{n}"
        article.slug = candidate
        taken.add(candidate)
