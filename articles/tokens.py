"""Search tokens: what the full-text index stores for an article. No Django here.

The importer's worker processes build an article's index document while they parse it, so the
single writer only has to insert it; articles/search.py uses the same functions for articles
edited in the admin and for queries. Why character bigrams: see articles/search.py.
"""

import re
import unicodedata
from operator import add

MAX_TOKEN_LENGTH = 64  # longer "words" are hashes and base64; PostgreSQL rejects huge lexemes

CJK = (
    "\u3040-\u30ff"  # kana: Japanese names in the news are split the same way
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs, extension A, compatibility
    "\uac00-\ud7af"  # Hangul syllables
    "\U00020000-\U0003134f"  # extensions B-G (rare names)
)
RUN = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+)")
WORD_CHAR = rf"[^\W_{CJK}]"


def runs(text):
    """(is_cjk, run) pairs of the normalized text, in order; punctuation and spaces dropped."""
    text = unicodedata.normalize("NFKC", text)
    for match in RUN.finditer(text):
        cjk, word = match.groups()
        if cjk:
            yield True, cjk
        elif len(word) <= MAX_TOKEN_LENGTH:
            yield False, word.casefold()


def tokenize(text):
    """Index tokens: one per CJK character (see articles/search.py), one per word."""
    tokens = []
    for is_cjk, run in runs(text or ""):
        if is_cjk:
            tokens.extend(map(add, run, run[1:]))  # the bigrams, built in C
            tokens.append(run[-1])
        else:
            tokens.append(run)
    return tokens


def document(title, names, body_text):
    """The (title, meta, body) token strings of one article; `names` are its original title,
    author, editor, source, categories and tags."""
    # One name per line: the separator keeps two names from forming one CJK run.
    meta = tokenize("\n".join(name for name in names if name))
    return (" ".join(tokenize(title)), " ".join(meta), " ".join(tokenize(body_text)))
