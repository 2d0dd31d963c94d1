"""The search's specification as a plain substring scan, for tests and bench/search_bench.py.

Written apart from articles/search/ and articles/tokens.py on purpose: it folds and cuts text
its own way, so a mistake there does not repeat here. An article matches a query when, in one
of its fields (title, original title, author, editor, source, a category, a tag, the body),
folded (NFKC, case, traditional characters to simplified ones with OpenCC), each positive
term occurs and no negated term does: CJK characters anywhere, letters and digits as whole
words, punctuation and spaces between the parts of a term standing for any separator.

In "run form" a field is its runs (CJK characters; letters and digits) separated by single
spaces, with a space at each end; a term then is one substring, padded with a space where
it starts or ends with letters or digits: `LIKE '% gdp 增长%'`.
"""

import random
import re
import unicodedata
from functools import cache

import opencc

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
LONGEST_WORD = 64  # longer runs of letters and digits are not words (hashes, base64)


@cache
def _simplified():
    """{code point: simplified character} for every CJK character OpenCC's t2s changes."""
    converter, table = opencc.OpenCC("t2s"), {}
    for block in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0)):
        for code in range(*block):
            converted = converter.convert(chr(code))
            if len(converted) == 1 and converted != chr(code):
                table[code] = converted
    return table


def fold(text):
    return unicodedata.normalize("NFKC", text or "").casefold().translate(_simplified())


def _runs(text):
    return [
        run
        for run in _RUN.findall(fold(text))
        if _IS_CJK.match(run) or len(run) <= LONGEST_WORD
    ]


def run_form(text):
    return " " + " ".join(_runs(text)) + " "


def pattern(term):
    """The substring a term stands for in run form ('' if it has nothing to search)."""
    runs = _runs(term)
    if not runs:
        return ""
    text = " ".join(runs)
    if not _IS_CJK.match(runs[0]):
        text = " " + text
    if not _IS_CJK.match(runs[-1]):
        text += " "
    return text


def parse(q):
    """(positive patterns, negative patterns) of the reader's syntax."""
    q = q.replace("“", '"').replace("”", '"')
    positive, negative = [], []
    for minus, phrase, bare in re.findall(r'(-?)"([^"]*)"|(\S+)', q):
        if bare:
            minus = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[len(minus) :]
        found = pattern(phrase)
        if found:
            (negative if minus else positive).append(found)
    return positive, negative


def article_texts(articles):
    """{id: run-form text of every field, one field a line} for Article instances with their
    author, editor, source, categories and tags loaded."""
    texts = {}
    for article in articles:
        fields = [article.title, article.original_title, article.body_text]
        people = (article.author, article.editor, article.source)
        fields += [person.name for person in people if person]
        fields += [category.name for category in article.categories.all()]
        fields += [tag.name for tag in article.tags.all()]
        texts[article.pk] = "\n".join(run_form(field) for field in fields)
    return texts


def matches(texts, q):
    """Ids whose text matches `q`: the oracle's answer."""
    positive, negative = parse(q)
    if not positive:
        return set()
    return {
        pk
        for pk, text in texts.items()
        if all(p in text for p in positive) and not any(n in text for n in negative)
    }


def draw_queries(bodies, count, seed=5):
    """`count` queries cut from real article text: one-, two-, three- and four-to-six-character
    terms, quoted phrases across punctuation, two terms, negations, traditional spellings."""
    rng = random.Random(seed)
    runs = [run for body in bodies for run in re.findall(r"[\u4e00-\u9fff]{6,}", body)]
    across = re.compile(r"[\u4e00-\u9fff]{2,4}[，、][\u4e00-\u9fff]{2,4}")
    phrases = [found for body in bodies for found in across.findall(body)]
    words = sorted({word for body in bodies for word in re.findall(r"\b[A-Za-z]{2,}\b", body)})

    def term(length):
        run = rng.choice(runs)
        start = rng.randrange(len(run) - length + 1)
        return run[start : start + length]

    makers = [
        lambda: term(1),
        lambda: term(2),
        lambda: term(3),
        lambda: term(rng.randint(4, 6)),
        lambda: f'"{rng.choice(phrases)}"' if phrases else term(5),
        lambda: f"{term(2)} {term(2)}",
        lambda: f"{term(2)} -{term(2)}",
        lambda: opencc.OpenCC("s2t").convert(term(rng.randint(2, 4))),
        lambda: rng.choice(words) if words else term(2),
    ]
    return [makers[index % len(makers)]() for index in range(count)]
