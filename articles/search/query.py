"""The reader's query syntax, parsed into terms made of index tokens. No database here."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..tokens import WORD_CHAR, runs

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

# Chinese input methods type curly or corner quotes; readers mean the same as ".
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "＂": '"', "－": "-"})
_QUERY_PART = re.compile(r'(-?)"([^"]*)"|(\S+)')
# Control characters (NUL from a crafted URL, tabs pasted from a table) separate terms like a space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Term:
    tokens: tuple  # matched as a phrase: consecutive positions
    prefix: bool  # the last token is a lone final character: match tokens starting with it
    pattern: str  # regex over folded text, for highlighting
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

    def key(self):
        """A stable text naming what is searched (for caches): tokens, not the typed text."""
        return ";".join(
            ("-" if term.negated else "") + " ".join(term.tokens) + ("*" if term.prefix else "")
            for term in self.terms
        )


def _term(text, negated):
    pieces = list(runs(text))
    if not pieces:
        return None
    tokens, prefix, patterns = [], False, []
    for index, (is_cjk, run) in enumerate(pieces):
        last = index == len(pieces) - 1
        if not is_cjk:
            tokens.append(run)
            patterns.append(rf"(?<!{WORD_CHAR}){re.escape(run)}(?!{WORD_CHAR})")
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
    if isinstance(q, ParsedQuery):
        return q
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


# User text never reaches MATCH or tsquery syntax: the expressions below are built only from
# tokens, which are letters, digits and CJK characters, and are passed as bound parameters.


def _fts_phrase(term):
    return '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")


def fts_expression(parsed):
    """The FTS5 MATCH expression of a query (SQLite)."""
    expression = " AND ".join(map(_fts_phrase, parsed.positive))
    for term in parsed.negative:
        expression = f"({expression}) NOT {_fts_phrase(term)}"
    return expression


def fts_title_expression(parsed):
    """MATCH expression: every positive term in the title (the best-match order's first tier)."""
    return "title : (" + " AND ".join(map(_fts_phrase, parsed.positive)) + ")"


def _ts_phrase(term, weight=""):
    lexemes = [f"'{token}'{':' + weight if weight else ''}" for token in term.tokens]
    if term.prefix:
        lexemes[-1] = f"'{term.tokens[-1]}':*{weight}"
    return "(" + " <-> ".join(lexemes) + ")"


def ts_title_query(parsed):
    """tsquery: every positive term in the title (weight A, see index._tsvector)."""
    return " & ".join(_ts_phrase(term, "A") for term in parsed.positive)


def ts_query(parsed):
    """The tsquery text of a query (PostgreSQL)."""
    return " & ".join(
        [*map(_ts_phrase, parsed.positive), *(f"!{_ts_phrase(term)}" for term in parsed.negative)]
    )
