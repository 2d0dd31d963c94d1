"""Full-text search over the archive, in Chinese, on SQLite (FTS5) and PostgreSQL (tsvector).

    query.py      the reader's syntax -> terms of index tokens
    index.py      writing the index (one entry per article, keyed by publication time)
    scan.py       finding the matches: exact, newest first or best first, counted
    highlight.py  marking hits in titles and snippets
    facets.py     counts of the matches by category, source, author and year

Why character bigrams and not word segmentation (jieba): a word index finds only the words
the segmenter cut, and it cuts by dictionary and context. News is full of names and new words
(景俊海, 新冠, 元宇宙) missing from any dictionary, the same characters are cut differently in
different sentences, and a query for part of a stored word (疫情 in a 疫情防控 kept whole)
finds nothing. Bigrams (Lucene's CJKAnalyzer, pg_bigm) find any run of characters, need no
dictionary, and behave the same on both databases because we tokenize in Python
(articles/tokens.py) and hand the databases plain space-separated tokens.

The token stream gives every character of a CJK run one token: the bigram starting at it, and
for the last character of the run the character alone. 景俊海 -> 景俊 俊海 海. So:
  - a two-character word is one token (疫情), a longer one a phrase of bigrams (景俊 俊海);
  - a one-character query is a prefix query on that character (年 matches 年 and 年经);
  - a run's final single character keeps mixed terms exact: 2022年 is the phrase 2022 年*.
A term therefore matches exactly where its folded characters occur in the folded text (CJK
anywhere, letters and digits as whole words); tests/test_search_oracle.py checks that.
"""

from .highlight import highlight, snippet
from .index import BATCH_SIZE, rebuild_index, update_index, write_documents
from .query import ParsedQuery, parse_query
from .scan import BEST, MAX_COUNT, NEWEST, ORDERS
from .scan import search as _search

__all__ = [
    "BATCH_SIZE",
    "BEST",
    "MAX_COUNT",
    "NEWEST",
    "ORDERS",
    "ParsedQuery",
    "highlight",
    "parse_query",
    "rebuild_index",
    "search",
    "snippet",
    "update_index",
    "write_documents",
]


def search(queryset, q, include_unpublished=False, order=NEWEST):
    """Every article of `queryset` matching `q` (a string or a ParsedQuery), in `order`.

    Readers get published articles only; an empty or unusable query gives an empty queryset
    (parse_query says why).
    """
    parsed = parse_query(q)
    if not include_unpublished:
        queryset = queryset.published()
    if not parsed.positive:
        return queryset.none()
    return _search(queryset, parsed, order)
