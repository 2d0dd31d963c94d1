"""Finding the matches: the search condition, the two orders, exact counts and pages.

Everything here that leans on Django's query internals (the compiler's table alias, a
queryset's where tree and limits, _fetch_all) is in this module, tested on both databases by
tests/test_search.py and tests/test_search_oracle.py.

A search is a queryset like any other: filtering, counting, iterating, bulk actions and
deleting all run the plain SQL of SearchMatch and are exact. Two things are made fast:
  - on SQLite a page (a sliced queryset) and a count are read from the FTS5 index in key order
    (see index.py), a page's candidates checked against the queryset's own filters by a
    correlated EXISTS, so a page of the newest matches reads about one page of matches, and a
    count up to MAX_COUNT reads at most that many. A count, and the keys facets read, check
    only the matches the index cannot decide (_index_decides, _unordered_scans);
  - on PostgreSQL the planner walks the (published_at, id) index or the GIN index, whichever
    it expects to be cheaper; counts stop at the limit they are given.
"""

import json
from contextvars import ContextVar
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Expression, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.db.models.sql.where import AND, OR, WhereNode

from ..models import Article, FiledUnder
from .index import CHECK_INDEX, ID_BITS, ID_MASK, RESTRICTED, facet_token, key_seconds
from .query import fts_expression, fts_title_expression, ts_query, ts_title_query

MAX_COUNT = 10_000  # counts above this are shown as "10,000+"
NEWEST, BEST = "newest", "best"
ORDERS = (NEWEST, BEST)
NEWEST_ORDER = ("-published_at", "-pk")
# bm25 weights of the title, meta (names) and body columns; ts_rank's of A, B, C, D.
SQLITE_WEIGHTS = "10.0, 4.0, 1.0, 0.0"  # the facets column (index.py) is no text
PG_WEIGHTS = "{0.1, 0.1, 0.4, 1.0}"

# While set, SearchMatch renders the link from the article row to the FTS5 row being scanned
# instead of its own MATCH: the scan below has already matched that row.
_CORRELATED = ContextVar("search_correlated", default=False)


class SearchMatch(Expression):
    """WHERE condition: the article's index entry matches the query."""

    output_field = BooleanField()

    def __init__(self, fts, tsquery):
        super().__init__()
        self.fts, self.tsquery = fts, tsquery

    def __repr__(self):
        return f"SearchMatch({self.fts!r})"

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        pk = f"{table}.{connection.ops.quote_name(compiler.query.model._meta.pk.column)}"
        if connection.vendor == "postgresql":
            return f"{table}.search_document @@ %s::tsquery", [self.tsquery]
        if _CORRELATED.get():
            return f"{pk} = (articles_search.rowid & {ID_MASK})", []
        return (
            f"{pk} IN (SELECT rowid & {ID_MASK} FROM articles_search"  # noqa: S608 (constants)
            " WHERE articles_search MATCH %s)",
            [self.fts],
        )


def _match_nodes(node, plain=True):
    """(matches reachable through AND alone, matches under OR or NOT) in a where tree."""
    found, hidden = 0, 0
    for child in getattr(node, "children", ()):
        inside = plain and node.connector == AND and not node.negated
        if isinstance(getattr(child, "lhs", None), SearchMatch) or isinstance(child, SearchMatch):
            found, hidden = (found + 1, hidden) if inside else (found, hidden + 1)
        elif isinstance(child, WhereNode):
            more, more_hidden = _match_nodes(child, inside)
            found, hidden = found + more, hidden + more_hidden
    return found, hidden


_LOWER, _UPPER = ("gt", "gte"), ("lt", "lte")


def _key_bounds(node, column, alias):
    """(lowest, highest) index key that rows passing `node`'s bounds on `column` of the
    table `alias` (the searched articles' publication time) can have, or None for an open
    end. Only conditions every row must meet count (reachable
    through AND alone); the keys' seconds are floored, so the bounds are necessary, never
    sufficient: the filters themselves still decide."""
    low = high = None
    if node.connector != AND or node.negated:
        return low, high
    for child in node.children:
        if isinstance(child, WhereNode):
            inner_low, inner_high = _key_bounds(child, column, alias)
        elif (
            getattr(getattr(child, "lhs", None), "target", None) is column
            and child.lhs.alias == alias
            and child.lookup_name in _LOWER + _UPPER
            and isinstance(child.rhs, datetime)
        ):
            seconds = key_seconds(child.rhs)
            if child.lookup_name in _LOWER:
                inner_low, inner_high = seconds << ID_BITS, None
            else:
                inner_low, inner_high = None, (seconds << ID_BITS) | ID_MASK
        else:
            continue
        if inner_low is not None:
            low = inner_low if low is None else max(low, inner_low)
        if inner_high is not None:
            high = inner_high if high is None else min(high, inner_high)
    return low, high


# Filters of the search page whose rows the index's facets column lists (index.py).
FACET_FIELDS = {"author": "a", "source": "s"}
WINDOW_FIELDS = ("publish_start", "publish_end")
PUBLISHED = Article.Status.PUBLISHED


def _facet_tokens(node, alias):
    """The facets column's tokens every row passing `node` has: from its filters on the
    category tree (FiledUnder; a negated one is another class) and exact filters on the
    author or source of the table `alias`. Necessary, like the key bounds: the filters
    themselves still decide."""
    tokens = []
    if node.connector != AND or node.negated:
        return tokens
    for child in node.children:
        lhs, rhs = getattr(child, "lhs", None), getattr(child, "rhs", None)
        if isinstance(child, WhereNode):
            tokens += _facet_tokens(child, alias)
        elif isinstance(lhs, FiledUnder) and rhs is True:  # filter(FiledUnder(c)) is "= True"
            tokens.append(facet_token("c", lhs.category_id))
        elif (
            getattr(child, "lookup_name", None) == "exact"
            and getattr(lhs, "alias", None) == alias
            and getattr(getattr(lhs, "target", None), "name", None) in FACET_FIELDS
            and isinstance(rhs, int)
        ):
            tokens.append(facet_token(FACET_FIELDS[lhs.target.name], rhs))
    return tokens


def _index_decides(node, alias):
    """Whether the index alone decides every condition of `node` for an entry that is not
    RESTRICTED (a published article without a publish window) and lies strictly inside the
    key bounds' whole seconds: the match, the facets' filters (_facet_tokens), the
    publication-time bounds (_key_bounds) and the conditions of published() such an article
    meets. Any other condition, or one under OR or NOT, leaves each match to be checked."""
    if node.connector != AND or node.negated:
        return False
    return all(_decided(child, alias) for child in node.children)


def _decided(child, alias):
    if isinstance(child, WhereNode):
        return _unset_window(child, alias) or _index_decides(child, alias)
    if isinstance(child, SearchMatch):
        return True
    lhs, rhs = getattr(child, "lhs", None), getattr(child, "rhs", None)
    if isinstance(lhs, SearchMatch | FiledUnder):
        return rhs is True
    column = getattr(getattr(lhs, "target", None), "name", None)
    if getattr(lhs, "alias", None) != alias or column is None:
        return False
    lookup = getattr(child, "lookup_name", None)
    return (
        (lookup == "exact" and column in FACET_FIELDS and isinstance(rhs, int))
        or (lookup in _LOWER + _UPPER and column == "published_at" and isinstance(rhs, datetime))
        or (lookup == "exact" and column == "status" and rhs == PUBLISHED)
    )


def _unset_window(node, alias):
    """Whether `node` is an OR that holds for an article without a publish window (one of its
    alternatives is publish_start or publish_end IS NULL), as published()'s two are."""
    return (
        node.connector == OR
        and not node.negated
        and any(
            getattr(child, "lookup_name", None) == "isnull"
            and child.rhs is True
            and getattr(child.lhs, "alias", None) == alias
            and getattr(getattr(child.lhs, "target", None), "name", None) in WINDOW_FIELDS
            for child in node.children
        )
    )


def _second_edges(low, high):
    """(low, high, inside) key ranges that together cover [low, high] (None: open) once
    each: the first and the last second of the range (inside=False), and the whole seconds
    strictly between them (inside=True), if any."""
    low_second = None if low is None else low >> ID_BITS
    high_second = None if high is None else high >> ID_BITS
    if low_second is not None and low_second == high_second:
        return [(low, high, False)]
    edges, inner_low, inner_high = [], low, high
    if low is not None:
        inner_low = (low_second + 1) << ID_BITS
        edges.append((low, inner_low - 1, False))
    if high is not None:
        inner_high = (high_second << ID_BITS) - 1
        edges.append((inner_high + 1, high, False))
    if inner_low is None or inner_high is None or inner_low <= inner_high:
        edges.append((inner_low, inner_high, True))
    return edges


def _fts_select(select, expression, low, high, check):
    """(SQL, params) selecting `select` from the FTS5 rows matching `expression` with keys in
    [low, high] (None: open) whose article passes `check` (see _scan_parts; None: no check)."""
    sql = f"SELECT {select} FROM articles_search WHERE articles_search MATCH %s"  # noqa: S608
    params = [expression]
    if low is not None:
        sql += " AND articles_search.rowid >= %s"
        params.append(low)
    if high is not None:
        sql += " AND articles_search.rowid <= %s"
        params.append(high)
    if check is not None:
        sql += f" AND EXISTS ({check[0]})"
        params += check[1]
    return sql, params


class SearchQuerySet(QuerySet):
    """Mixed into the searched queryset's own class (see search()); `_search` is
    (parsed query, order, the ordering search() set)."""

    _search = None

    def _clone(self):
        clone = super()._clone()
        clone._search = self._search
        return clone

    # The fast paths -------------------------------------------------------------------------

    def _scannable(self):
        """Whether the FTS5 scan can answer for this queryset as it is now."""
        if self._search is None or connections[self.db].vendor != "sqlite":
            return False
        if self.query.order_by != self._search[2] or self.query.combinator:
            return False
        return _match_nodes(self.query.where) == (1, 0)

    def _scan_parts(self):
        """(FTS5 expression, lowest key, highest key, check) for this queryset, or None when
        no row can pass its filters; check is (SQL, params): the filters as a correlated
        condition on the FTS5 row being scanned."""
        parsed = self._search[0]
        inner = self._chain()
        inner.query.clear_limits()
        inner = inner.order_by().values("pk")
        token = _CORRELATED.set(True)
        try:
            inner_sql, inner_params = inner.query.get_compiler(self.db).as_sql()
        except EmptyResultSet:  # filters no row can pass
            return None
        finally:
            _CORRELATED.reset(token)
        # SQLite would look the article up by its rowid and read the whole row to check the
        # filters; the index that starts with the id holds what they read. A query that joins
        # other tables is left to the planner.
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        inner_sql = inner_sql.replace(
            f"FROM {table} WHERE", f"FROM {table} INDEXED BY {CHECK_INDEX} WHERE", 1
        )
        # The filters' facets join the query inside FTS5: a filter on a small category then
        # reads that category's matches, not every match of the terms.
        expression = " AND ".join(
            [f"({fts_expression(parsed)})"]
            + [f'"{token}"' for token in _facet_tokens(self.query.where, self.query.base_table)]
        )
        # Publication-time filters (a date range, "published by now") as a range of keys:
        # FTS5 then skips the matches outside it instead of checking each one.
        published_at = self.model._meta.get_field("published_at")
        low, high = _key_bounds(self.query.where, published_at, self.query.base_table)
        return expression, low, high, (inner_sql, inner_params)

    def _scan_sql(self, select, order, limit=None, offset=0):
        """SQL selecting `select` from the FTS5 rows that match the query and whose article
        passes this queryset's filters, in `order` (None: any)."""
        parts = self._scan_parts()
        if parts is None:
            return None, []
        sql, params = _fts_select(select, *parts)
        if order == BEST:
            # Title hits first, then bm25 (term frequency, rarer terms weigh more), then newest.
            sql += (
                " ORDER BY articles_search.rowid IN (SELECT rowid FROM articles_search"  # noqa: S608
                " WHERE articles_search MATCH %s) DESC,"
                f" bm25(articles_search, {SQLITE_WEIGHTS}), articles_search.rowid DESC"
            )
            params.append(fts_title_expression(self._search[0]))
        elif order == NEWEST:
            sql += " ORDER BY articles_search.rowid DESC"
        if limit is not None or offset:
            sql += " LIMIT %s OFFSET %s"
            params += [-1 if limit is None else limit, offset]
        return sql, params

    def _unordered_scans(self, select):
        """[(SQL, params)]: scans in no order whose rows together are every match, each once.

        Looking up an article to check the filters costs some 30 times what FTS5 takes to
        find the match, so where the index alone decides (_index_decides) the matches are cut
        in two: entries not RESTRICTED strictly inside the key range's whole seconds pass
        unlooked; RESTRICTED ones and those in the range's first and last second (a bound
        inside a second) are checked as before."""
        parts = self._scan_parts()
        if parts is None:
            return []
        expression, low, high, check = parts
        if not _index_decides(self.query.where, self.query.base_table):
            return [_fts_select(select, expression, low, high, check)]
        scans = [_fts_select(select, f'({expression}) AND "{RESTRICTED}"', low, high, check)]
        free = f'({expression}) NOT "{RESTRICTED}"'
        for edge_low, edge_high, inside in _second_edges(low, high):
            scans.append(_fts_select(select, free, edge_low, edge_high, None if inside else check))
        return scans

    def _run(self, sql, params):
        if sql is None:
            return []
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _scan_count(self, limit=None):
        scans = self._unordered_scans("1")
        if not scans:
            return 0
        # Each part counts up to the limit: when one reaches it, so does their sum.
        cap, caps = ("", []) if limit is None else (" LIMIT %s", [limit])
        sql = " + ".join(
            f"(SELECT count(*) FROM ({scan}{cap}))"  # noqa: S608 (our own scans)
            for scan, _params in scans
        )
        params = [param for _scan, scan_params in scans for param in [*scan_params, *caps]]
        total = self._run(f"SELECT {sql}", params)[0][0]
        return total if limit is None else min(total, limit)

    def count_up_to(self, limit):
        """The number of matches, or `limit` when there are at least that many."""
        if self._result_cache is not None:
            return min(len(self._result_cache), limit)
        if self.query.is_sliced:
            return min(self.count(), limit)
        if self._scannable():
            return self._scan_count(limit)
        return QuerySet.count(self[:limit])

    def match_keys(self):
        """Every match's index key, read from the FTS5 index (SQLite); None where the index
        cannot answer for this queryset (PostgreSQL, or a reshaped query)."""
        if not self._scannable():
            return None
        keys = []
        for scan in self._unordered_scans("articles_search.rowid"):
            keys += [key for (key,) in self._run(*scan)]
        return keys

    def count(self):
        if self._result_cache is None and not self.query.is_sliced and self._scannable():
            return self._scan_count()
        return super().count()

    def _fetch_all(self):
        # A page is read from the index in its order; so is a whole best-match list, whose
        # order only the index knows (bm25). Any other whole list is the plain SQL's.
        if (
            self._result_cache is None
            and self._search is not None
            and self._iterable_class is ModelIterable
            and (self.query.is_sliced or self._search[1] == BEST)
            and self._scannable()
        ):
            low, high = self.query.low_mark, self.query.high_mark
            limit = None if high is None else high - low
            select = f"articles_search.rowid & {ID_MASK}"
            ids = [pk for (pk,) in self._run(*self._scan_sql(select, self._search[1], limit, low))]
            rows = self._chain()
            rows.query.clear_limits()
            rows.query.clear_ordering(force=True)
            rows.query.where = WhereNode()
            rows._search = None
            rows._prefetch_related_lookups = ()
            # The ids as one JSON parameter: a long IN list would pass SQLite's variable limit.
            among = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
            by_pk = {article.pk: article for article in rows.filter(pk__in=among)}
            self._result_cache = [by_pk[pk] for pk in ids if pk in by_pk]
        super()._fetch_all()


_CLASSES = {}


def searchable(queryset):
    """The queryset as an instance of a SearchQuerySet subclass of its own class."""
    base = type(queryset)
    if issubclass(base, SearchQuerySet):
        return queryset._chain()
    if base not in _CLASSES:
        _CLASSES[base] = type(f"Search{base.__name__}", (SearchQuerySet, base), {})
    clone = queryset._chain()
    clone.__class__ = _CLASSES[base]
    return clone


def search(queryset, parsed, order=NEWEST):
    """The articles of `queryset` matching `parsed`, in `order` (NEWEST or BEST)."""
    results = searchable(queryset).filter(SearchMatch(fts_expression(parsed), ts_query(parsed)))
    if order == BEST and connections[queryset.db].vendor == "postgresql":
        # Title hits first, then ts_rank (how often the terms occur, the title weighing most).
        title_hit = RawSQL(
            "search_document @@ %s::tsquery", [ts_title_query(parsed)], output_field=BooleanField()
        )
        rank = RawSQL(
            "ts_rank(%s::float4[], search_document, %s::tsquery)",
            [PG_WEIGHTS, ts_query(parsed)],
            output_field=FloatField(),
        )
        ordering = (title_hit.desc(), rank.desc(), *NEWEST_ORDER)
    else:
        # On SQLite the best-match order is bm25's, read by the scan (see _scan); a queryset
        # that cannot be scanned (reordered, or searched inside an OR) is in this order.
        ordering = NEWEST_ORDER
    results = results.order_by(*ordering)
    results._search = (parsed, order, results.query.order_by)
    return results
