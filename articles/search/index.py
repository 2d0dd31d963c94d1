"""Writing the index: one entry per article, keyed so that the index is read newest first.

SQLite: the FTS5 table articles_search (title, meta, body, facets). Its rowid is the article's
ordering key, (publication second << ID_BITS) | id, so FTS5 walks a query's matches from the
newest publication down and a page of the newest matches stops after that page; the article id
is the key's low bits. articles_search_key remembers each article's key, because an edit that
moves the publication time must find the old entry to replace it.
The facets column holds a token for each category the article is filed in or below, for its
author and for its source (facet_token()), so that the search page's filters narrow the match
inside FTS5 instead of checking every match of a common term against the link table, and
RESTRICTED for an article a reader may not see by its publication time alone (a draft, or one
with a publish window), so that counts need not look up the others' rows (scan.py). They
start with a character no query can produce, so no search finds them as text.
PostgreSQL: the tsvector column articles_article.search_document with a GIN index; the rows
are ordered by (published_at, id), the article_public_listing index.
Both are created by migrations 0002 and 0007.
"""

import math
from collections import defaultdict

from django.db import connection, transaction

from ..models import Article, Category, category_prefixes
from ..tokens import BARRIER, document

BATCH_SIZE = 500  # also keeps the id list far below SQLite's bound-parameter limit
ID_BITS = 30
ID_MASK = (1 << ID_BITS) - 1
SECONDS_BOUND = 1 << 32  # about 1834 to 2106; later or earlier dates sort at the ends
PG_MAX_POSITION = 16383  # PostgreSQL clamps positions here; phrases past it cannot match

SQLITE_TABLES = ("articles_search",)
CHECK_INDEX = "article_search_check"  # Article.Meta.indexes: id first, then what filters read
SQLITE_DELETE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles_article
BEGIN
    DELETE FROM articles_search
    WHERE rowid = (SELECT key FROM articles_search_key WHERE article_id = old.id);
    DELETE FROM articles_search_key WHERE article_id = old.id;
END
"""


def batched(items, size):
    """itertools.batched arrived in Python 3.12; we run on 3.11."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def key_seconds(moment):
    """The publication-second part of an index key: floored, clamped to the key's range."""
    seconds = math.floor(moment.timestamp())
    return max(-SECONDS_BOUND, min(seconds, SECONDS_BOUND - 1))


def ordering_key(published_at, pk):
    """The index key: publication second, then id; the id is its low ID_BITS bits."""
    if not 0 < pk <= ID_MASK:
        raise ValueError(f"article id {pk} does not fit the search key")
    return (key_seconds(published_at) << ID_BITS) | pk


# In the facets column of an entry whose visibility is more than its publication time: not
# published, or published inside a window (publish_start, publish_end) that opens and closes
# with the clock.
RESTRICTED = f"{BARRIER}r"


def facet_token(kind, pk):
    """The facets column's token for category ("c"), author ("a") or source ("s") `pk`."""
    return f"{BARRIER}{kind}{pk}"


def _facets(article_ids):
    """id -> the facets column of each article: its categories and every level above them
    (a filter on a category includes what is filed below it), its author, its source, and
    RESTRICTED where its visibility is more than its publication time."""
    tokens = defaultdict(list)
    rows = Article.objects.filter(pk__in=article_ids).values_list(
        "pk", "author_id", "source_id", "status", "publish_start", "publish_end"
    )
    for pk, author_id, source_id, status, start, end in rows:
        tokens[pk] += [facet_token("a", author_id)] if author_id else []
        tokens[pk] += [facet_token("s", source_id)] if source_id else []
        restricted = status != Article.Status.PUBLISHED or start is not None or end is not None
        tokens[pk] += [RESTRICTED] if restricted else []
    links = Article.categories.through.objects.filter(article_id__in=article_ids)
    filed = links.values_list("article_id", "category__slug_path")
    paths = {pk: set() for pk in tokens}
    for pk, slug_path in filed:
        paths[pk].update(category_prefixes(slug_path))
    wanted = set().union(*paths.values())
    ids = dict(Category.objects.filter(slug_path__in=wanted).values_list("slug_path", "pk"))
    for pk, levels in paths.items():
        tokens[pk] += sorted(facet_token("c", ids[path]) for path in levels if path in ids)
    return {pk: " ".join(found) for pk, found in tokens.items()}


def _documents(article_ids):
    """id -> (published_at, index document) for the rows that still exist. Three queries."""
    articles = (
        Article.objects.filter(pk__in=article_ids)
        .select_related("author", "editor", "source")
        .prefetch_related("categories", "tags")
        .only(
            "title",
            "original_title",
            "body_text",
            "published_at",
            "author__name",
            "editor__name",
            "source__name",
        )
    )
    documents = {}
    for article in articles:
        names = [article.original_title]
        names += [
            person.name for person in (article.author, article.editor, article.source) if person
        ]
        names += [category.name for category in article.categories.all()]
        names += [tag.name for tag in article.tags.all()]
        documents[article.pk] = (
            article.published_at,
            document(article.title, names, article.body_text),
        )
    return documents


def _tsvector(document):
    """A tsvector literal with positions; sections are a gap apart so no phrase spans two."""
    positions, position = defaultdict(dict), 0
    for tokens, weight in zip(document, "ABD", strict=True):
        for token in tokens.split():
            position += 1
            positions[token][f"{min(position, PG_MAX_POSITION)}{weight}"] = None
        position += 1
    # Tokens are letters, digits and CJK characters, so quoting needs no escaping.
    return " ".join(f"'{token}':{','.join(list(pos)[:256])}" for token, pos in positions.items())


def write_documents(entries):
    """Store {article id: (published_at, document)} as the articles' index entries, replacing
    any they had, in the caller's transaction. The importer builds the documents in its
    workers and calls this directly; the facets are read here from the rows just written."""
    if not entries:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                "UPDATE articles_article SET search_document = %s::tsvector WHERE id = %s",
                [(_tsvector(doc), pk) for pk, (_published, doc) in entries.items()],
            )
            return
        _delete_sqlite_entries(list(entries))
        facets = _facets(list(entries))
        # In key order: FTS5 writes out the terms it gathers in memory (see migration 0006)
        # whenever a rowid arrives below the last one, and files come in any date order;
        # unsorted, a batch of crawled files cost its index 2.5 times the CPU.
        keyed = sorted(
            (ordering_key(published, pk), pk, (*doc, facets.get(pk, "")))
            for pk, (published, doc) in entries.items()
        )
        cursor.executemany(
            "INSERT INTO articles_search_key (article_id, key) VALUES (%s, %s)",
            [(pk, key) for key, pk, _doc in keyed],
        )
        cursor.executemany(
            "INSERT INTO articles_search (rowid, title, meta, body, facets)"
            " VALUES (%s, %s, %s, %s, %s)",
            [(key, *doc) for key, _pk, doc in keyed],
        )


def _delete_sqlite_entries(ids):
    # The placeholders are "%s, %s, ...": only their number comes from us, never user text.
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM articles_search WHERE rowid IN"  # noqa: S608
            f" (SELECT key FROM articles_search_key WHERE article_id IN ({marks}))",
            list(ids),
        )
        cursor.execute(
            f"DELETE FROM articles_search_key WHERE article_id IN ({marks})",  # noqa: S608
            list(ids),
        )


def update_index(article_ids):
    """(Re)index these articles from their current rows; ids that no longer exist drop out.

    Called after every editorial change and by rebuild_index. Idempotent; a constant number
    of queries per batch of BATCH_SIZE ids.
    """
    ids = sorted({int(pk) for pk in article_ids})
    for chunk in batched(ids, BATCH_SIZE):
        entries = _documents(chunk)
        gone = [pk for pk in chunk if pk not in entries]
        with transaction.atomic():
            if gone and connection.vendor == "sqlite":
                _delete_sqlite_entries(gone)  # PostgreSQL's entries went with their rows
            write_documents(entries)
    return len(ids)


def clear_index():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM articles_search")
            cursor.execute("DELETE FROM articles_search_key")
            # A migration that rebuilds articles_article on SQLite drops the trigger.
            cursor.execute(SQLITE_DELETE_TRIGGER)
        else:
            cursor.execute("UPDATE articles_article SET search_document = NULL")


def rebuild_index(batch_size=BATCH_SIZE, progress=None):
    """Index every article from scratch; `progress(n)` is called after each batch of n."""
    clear_index()
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in batched(ids, batch_size):
        update_index(chunk)
        if progress:
            progress(len(chunk))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Merge the segments the batches left behind: fewer b-trees for every query to read.
            cursor.execute("INSERT INTO articles_search (articles_search) VALUES ('optimize')")
    return len(ids)
