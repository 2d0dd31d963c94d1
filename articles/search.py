"""Full-text search over the archive, in Chinese, on SQLite (FTS5) and PostgreSQL (tsvector).

Why character bigrams and not word segmentation (jieba): a word index finds only the words
the segmenter cut, and it cuts by dictionary and context. News is full of names and new words
(景俊海, 新冠, 元宇宙) missing from any dictionary, the same characters are cut differently in
different sentences, and a query for part of a stored word (疫情 in a 疫情防控 kept whole)
finds nothing; each such miss needs a new dictionary entry and a re-index. Bigrams (the
approach of Lucene's CJKAnalyzer and pg_bigm) find any run of two or more characters, need no
dictionary or model to install and load, and behave the same on both databases because we
tokenize in Python (articles/tokens.py) and hand the databases plain space-separated tokens.
The price: a token per character, so the index is several times the size of the text
(bench/search_bench.py reports it), and a bigram can straddle two words (长春 in 市长春节),
a false match readers rarely meet and the highlighting shows plainly.

The token stream gives every character of a CJK run one token: the bigram starting at it, and
for the last character of the run the character alone. 景俊海 -> 景俊 俊海 海. So:
  - a two-character word is one token (疫情), a longer one a phrase of bigrams (景俊 俊海);
  - a one-character query is a prefix query on that character (年 matches 年 and 年经);
  - a run's final single character keeps mixed terms exact: 2022年 is the phrase 2022 年*.
Latin letters and digits are words, lower-cased after NFKC (so full-width ＧＤＰ２０２２ match).
"""

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.db.models import BooleanField, Expression, ExpressionWrapper, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Article
from .tokens import WORD_CHAR, document
from .tokens import runs as _runs

# The SQLite FTS5 table articles_search (rowid = article id) and the PostgreSQL tsvector column
# articles_article.search_document are created by migration 0002_search_index; the titles alone,
# for the title-only candidate scan, by 0005_search_title: the FTS5 table articles_search_title
# (rowid = article id) and the tsvector column articles_article.search_title.

BATCH_SIZE = 500  # also keeps the id list far below SQLite's bound-parameter limit
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
PG_MAX_POSITION = 16383  # PostgreSQL clamps positions here; phrases past it cannot match

CANDIDATES = 200  # newest matches considered per query: bounds the cost, see search()

_WORD_CHAR = WORD_CHAR
# Chinese input methods type curly or corner quotes; readers mean the same as ".
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "＂": '"', "－": "-"})
_QUERY_PART = re.compile(r'(-?)"([^"]*)"|(\S+)')
# Control characters (NUL from a crafted URL, tabs pasted from a table) separate terms like a space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def batched(items, size):
    """itertools.batched arrived in Python 3.12; we run on 3.11."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Query parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    tokens: tuple  # matched as a phrase: consecutive positions
    prefix: bool  # the last token is a lone final character: match tokens starting with it
    pattern: str  # regex over normalized text, for highlighting
    negated: bool = False


@dataclass
class ParsedQuery:
    terms: list = field(default_factory=list)
    message: str = ""  # why nothing can be searched, for the reader

    @property
    def positive(self):
        return [term for term in self.terms if not term.negated]

    @property
    def negative(self):
        return [term for term in self.terms if term.negated]


def _term(text, negated):
    runs = list(_runs(text))
    if not runs:
        return None
    tokens, prefix, patterns = [], False, []
    for index, (is_cjk, run) in enumerate(runs):
        last = index == len(runs) - 1
        if not is_cjk:
            tokens.append(run)
            patterns.append(rf"(?<!{_WORD_CHAR}){re.escape(run)}(?!{_WORD_CHAR})")
            continue
        patterns.append(re.escape(run))
        if len(run) == 1:
            tokens.append(run)
            prefix = last  # the text may go on after it: 年 inside 年经
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
            if not last:
                # Something follows in the query, so the run must end here in the text too.
                tokens.append(run[-1])
    return Term(tuple(tokens), prefix, r"[\W_]*".join(patterns), negated)


def parse_query(q):
    """Reader's syntax: terms (all must match), "a phrase", -excluded. Never raises."""
    q = _CONTROL.sub(" ", (q or "").translate(_QUOTES)).strip()
    if not q:
        return ParsedQuery()
    if len(q) > MAX_QUERY_LENGTH:
        return ParsedQuery(message=_("搜索词太长了，请不要超过 %d 个字。") % MAX_QUERY_LENGTH)
    terms = []
    for match in _QUERY_PART.finditer(q):
        minus, phrase, bare = match.groups()
        if bare is not None:
            minus = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[len(minus) :]
        term = _term(phrase, negated=bool(minus))
        if term and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        return ParsedQuery(message=_("搜索词太多了，请不要超过 %d 个。") % MAX_TERMS)
    if not terms:
        return ParsedQuery(message=_("搜索词里没有可以查找的文字或数字。"))
    parsed = ParsedQuery(terms)
    if not parsed.positive:
        parsed = ParsedQuery(message=_("请至少输入一个不带减号的搜索词。"))
    return parsed


# Indexing --------------------------------------------------------------------------------------


def _documents(article_ids):
    """id -> index document (see tokens.document), for the rows that still exist. Three queries."""
    articles = (
        Article.objects.filter(pk__in=article_ids)
        .select_related("author", "editor", "source")
        .prefetch_related("categories", "tags")
        .only(
            "title", "original_title", "body_text", "author__name", "editor__name", "source__name"
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
        documents[article.pk] = document(article.title, names, article.body_text)
    return documents


def _tsvector(document):
    """A tsvector literal with positions; sections are a gap apart so no phrase spans two."""
    positions, position = defaultdict(dict), 0
    for tokens, weight in zip(document, "ABD", strict=True):
        for token in tokens.split():
            position += 1
            positions[token][f"{min(position, PG_MAX_POSITION)}{weight}"] = None
        position += 1
    # Tokens are letters and digits only, so quoting needs no escaping.
    return " ".join(f"'{token}':{','.join(list(pos)[:256])}" for token, pos in positions.items())


def write_documents(documents):
    """Store {article id: document} as the articles' index entries (replacing any they had),
    in the caller's transaction.

    Writes both the full index and the title index (the document's first string). The importer
    builds documents in its workers and calls this directly.
    """
    if not documents:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = [
                (_tsvector(doc), _tsvector((doc[0], "", "")), pk) for pk, doc in documents.items()
            ]
            cursor.executemany(
                "UPDATE articles_article SET search_document = %s::tsvector,"
                " search_title = %s::tsvector WHERE id = %s",
                rows,
            )
            return
        _delete_sqlite_entries(list(documents))
        cursor.executemany(
            "INSERT INTO articles_search (rowid, title, meta, body) VALUES (%s, %s, %s, %s)",
            [(pk, *doc) for pk, doc in documents.items()],
        )
        cursor.executemany(
            "INSERT INTO articles_search_title (rowid, title) VALUES (%s, %s)",
            [(pk, doc[0]) for pk, doc in documents.items()],
        )


def _delete_sqlite_entries(ids):
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for table in SQLITE_TABLES:
            # The placeholders are "%s, %s, ...": only their number comes from us, never user
            # text; the table names are our constants.
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", list(ids))  # noqa: S608


def update_index(article_ids):
    """(Re)index these articles from their current rows; ids that no longer exist drop out.

    Called by the importer after storing, by the admin after saving, and by rebuild_index.
    Idempotent; a constant number of queries per batch of BATCH_SIZE ids.
    """
    ids = sorted({int(pk) for pk in article_ids})
    for chunk in batched(ids, BATCH_SIZE):
        documents = _documents(chunk)
        gone = [pk for pk in chunk if pk not in documents]
        with transaction.atomic():
            if gone and connection.vendor == "sqlite":
                _delete_sqlite_entries(gone)  # PostgreSQL's entries went with their rows
            write_documents(documents)
    return len(ids)


def rebuild_index(batch_size=BATCH_SIZE, progress=None):
    """Index every article from scratch; `progress(n)` is called after each batch of n."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in SQLITE_TABLES:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (our constant)
            # A later migration that rebuilds articles_article on SQLite drops these triggers.
            for trigger in SQLITE_DELETE_TRIGGERS:
                cursor.execute(trigger)
        else:
            cursor.execute(
                "UPDATE articles_article SET search_document = NULL, search_title = NULL"
            )
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in batched(ids, batch_size):
        update_index(chunk)
        if progress:
            progress(len(chunk))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Merge the segments the batches left behind: fewer b-trees for every query to read.
            for table in SQLITE_TABLES:
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608
    return len(ids)


SQLITE_TABLES = ("articles_search", "articles_search_title")
SQLITE_DELETE_TRIGGERS = (
    """
CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles_article
BEGIN DELETE FROM articles_search WHERE rowid = old.id; END
""",
    """
CREATE TRIGGER IF NOT EXISTS articles_search_title_delete AFTER DELETE ON articles_article
BEGIN DELETE FROM articles_search_title WHERE rowid = old.id; END
""",
)


# Querying --------------------------------------------------------------------------------------
# User text never reaches MATCH or tsquery syntax: the expressions below are built only from
# tokens, which are letters and digits, and are passed as bound parameters.


def _fts_phrase(term):
    return '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")


def _fts_expression(terms, negated=()):
    expression = " AND ".join(map(_fts_phrase, terms))
    for term in negated:
        expression = f"({expression}) NOT {_fts_phrase(term)}"
    return expression


def _ts_phrase(term):
    lexemes = [f"'{token}'" for token in term.tokens]
    if term.prefix:
        lexemes[-1] = f"'{term.tokens[-1]}':*"
    return "(" + " <-> ".join(lexemes) + ")"


def _ts_query(terms, negated=()):
    return " & ".join([*map(_ts_phrase, terms), *(f"!{_ts_phrase(term)}" for term in negated)])


# Stand-ins while the candidate scans' SQL is compiled: the index a scan reads (a table on
# SQLite, a column on PostgreSQL; a name nothing else in the SQL contains), the match parameter
# and the parameter for terms excluded anywhere in the article (NULL: none to check).
_SCAN = "search_scan_index__"
_MATCH = object()
_EXCLUDED = object()


class _ScanMatches(Expression):
    """The candidate scan's condition, under whatever alias the query gives articles_article
    (inside a subquery it becomes U0).

    The title scan reads the title index, so a term excluded anywhere is checked against the
    full index, only for the rows the title index found; the full scan puts exclusions in its
    match expression and passes NULL, which the databases fold away.
    """

    output_field = BooleanField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        pk = f"{table}.{connection.ops.quote_name(compiler.query.model._meta.pk.column)}"
        params = [_MATCH, _EXCLUDED, _EXCLUDED]
        if connection.vendor == "postgresql":
            return (
                f"{table}.{_SCAN} @@ %s::tsquery AND "
                f"(%s::tsquery IS NULL OR {table}.search_document @@ %s::tsquery)",
                params,
            )
        # Joined on rowid = id and ordered by rowid (see _newest_matches), so FTS5 walks its
        # index newest first and SQLite stops at the limit.
        sql = (
            f"{_SCAN}.rowid = {pk} AND {_SCAN} MATCH %s AND (%s IS NULL OR NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM articles_search(%s) AS negated WHERE negated.rowid = {pk}))"
        )
        return sql, params


def _newest_matches(queryset, parsed):
    """Ids of the CANDIDATES newest matches in `queryset`: (every term in the title, anywhere).

    The title scan reads the small title index, the other the full one. Both differ only in
    that index's name and their parameters, so the SQL is compiled once: compiling the
    caller's filters costs Django more than FTS5 takes to find 200 matches.
    """
    postgresql = connections[queryset.db].vendor == "postgresql"
    if postgresql:
        matches = queryset.filter(_ScanMatches()).order_by("-pk")
        scans = (
            ("search_title", _ts_query(parsed.positive), _ts_query([], parsed.negative) or None),
            ("search_document", _ts_query(parsed.positive, parsed.negative), None),
        )
    else:
        # Ordered by the FTS5 rowid (= id), not the id, so that FTS5 gives rows newest first
        # and SQLite need not sort: the cost does not grow with the number of matches.
        matches = (
            queryset.extra(tables=[_SCAN])  # noqa: S610 (our constant)
            .filter(_ScanMatches())
            .order_by(RawSQL(f"{_SCAN}.rowid", []).desc())  # noqa: S611 (our constant)
        )
        excluded = " OR ".join(map(_fts_phrase, parsed.negative)) or None
        scans = (
            ("articles_search_title", _fts_expression(parsed.positive), excluded),
            ("articles_search", _fts_expression(parsed.positive, parsed.negative), None),
        )
    template, params = matches.values_list("pk")[:CANDIDATES].query.sql_with_params()
    found = []
    with connections[queryset.db].cursor() as cursor:
        for index, match, excluded in scans:
            values = [
                match if param is _MATCH else excluded if param is _EXCLUDED else param
                for param in params
            ]
            cursor.execute(template.replace(_SCAN, index), values)
            found.append([pk for (pk,) in cursor.fetchall()])
    return found


def _among(ids, vendor):
    """`pk__in` right-hand side for a list of ids as one bound parameter: hundreds of literals
    cost Django more time to compile than the database takes to run the query."""
    if vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def search(queryset, q, include_unpublished=False):
    """Articles of `queryset` matching `q` (a string or a ParsedQuery), best first.

    Order: articles with every term in the title, then the rest; newest first within each.
    Readers get published articles only; an empty or unusable query gives an empty queryset
    (parse_query says why). Filter `queryset` before searching, not after: the filters must
    apply before the candidates are chosen.

    Why no bm25()/ts_rank(): both score every match, and bm25 first counts every match of each
    phrase. Common words occur in half the archive, so at 100,000 articles that is 100+ ms per
    query (measured; bench/search_bench.py). Instead the candidates are the CANDIDATES newest
    title matches and the CANDIDATES newest matches (by id), so the cost is bounded whatever
    the query. A query with more matches shows the newest; `is_capped(count)` tells the page.

    The two candidate queries run here, once, not inside the queryset returned: as subqueries
    they ran again for the page's COUNT and twice more for its rows and their title flag.
    The title candidates come from an index of the titles alone (0005_search_title): restricted
    to the title column of the full index, a phrase read the whole position lists of its tokens
    (SQLite: 10-40 ms at 100,000 articles when few titles match) or, as a weight-'A' tsquery
    the GIN index cannot check, unpacked every row's document (PostgreSQL: 160-360 ms at
    20,000 articles); measured with bench/search_bench.py.
    """
    parsed = q if isinstance(q, ParsedQuery) else parse_query(q)
    if not include_unpublished:
        queryset = queryset.published()
    nothing = queryset.annotate(search_title_hit=Value(False, BooleanField())).none()
    if not parsed.positive:
        # Same annotation as a real result, so callers may order by it either way.
        return nothing
    title_ids, any_ids = _newest_matches(queryset, parsed)
    candidates = {*title_ids, *any_ids}
    if not candidates:
        return nothing
    # A fresh queryset around the candidates: the caller's filters already ran inside them,
    # and repeated outside they lead SQLite to scan the status index instead of looking up
    # the few candidate ids. Joins and prefetches the caller asked for are kept.
    vendor = connections[queryset.db].vendor
    results = queryset.model._default_manager.using(queryset.db)
    results = results.filter(pk__in=_among(sorted(candidates), vendor))
    results.query.select_related = queryset.query.select_related
    order = ["-published_at", "-pk"]
    if title_ids:
        title_hit = ExpressionWrapper(Q(pk__in=_among(title_ids, vendor)), BooleanField())
        order.insert(0, "-search_title_hit")
    else:
        title_hit = Value(False, BooleanField())  # PostgreSQL refuses a constant in ORDER BY
    return (
        results.prefetch_related(*queryset._prefetch_related_lookups)
        .annotate(search_title_hit=title_hit)
        .order_by(*order)
    )


def is_capped(count):
    """Whether a result count may be short of the real number of matches (see search())."""
    return count >= CANDIDATES


# Highlighting ----------------------------------------------------------------------------------

SNIPPET_WIDTH = 120


def _normalized(text):
    """The text as the tokenizer sees it, and for each of its characters the original index."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if len(folded) == len(text):
        return folded, range(len(text))
    chars, origin = [], []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).casefold()
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _hits(text, parsed):
    """Sorted, merged (start, end) spans of `text` where positive terms occur."""
    normalized, origin = _normalized(text)
    spans = []
    for term in parsed.positive:
        spans += [
            (origin[match.start()], origin[match.end() - 1] + 1)
            for match in re.finditer(term.pattern, normalized)
            if match.end() > match.start()
        ]
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text, hits, start, end):
    pieces, cursor = ["…" if start > 0 else ""], start
    for hit_start, hit_end in hits:
        if hit_end <= start or hit_start >= end:
            continue
        hit_start, hit_end = max(hit_start, start), min(hit_end, end)
        pieces += [escape(text[cursor:hit_start]), "<mark>", escape(text[hit_start:hit_end])]
        pieces.append("</mark>")
        cursor = hit_end
    pieces += [escape(text[cursor:end]), "…" if end < len(text) else ""]
    # Every piece of text went through escape(); the only markup is our own <mark>.
    return mark_safe("".join(pieces))


def highlight(text, q):
    """The whole text, escaped, with the query's hits in <mark>."""
    parsed = q if isinstance(q, ParsedQuery) else parse_query(q)
    return _marked(text, _hits(text, parsed), 0, len(text))


def snippet(text, q, width=SNIPPET_WIDTH):
    """About `width` characters of text around the first hit, escaped, hits in <mark>."""
    parsed = q if isinstance(q, ParsedQuery) else parse_query(q)
    text = " ".join(text.split())  # a snippet is one line: paragraphs become spaces
    hits = _hits(text, parsed)
    start = max(0, hits[0][0] - width // 4) if hits else 0
    return _marked(text, hits, start, min(len(text), start + width))
