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
# NFKC maps each of these to ASCII punctuation; U+3000 is the ideographic space.
FULL_WIDTH_PUNCTUATION = re.compile("[\u3000\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e]")


def normalize(text):
    """NFKC (full-width ＧＤＰ２０２２ is GDP2022), skipped when it would change nothing.

    Full-width punctuation (，：（）) is nearly all that NFKC changes in Chinese text, and it only
    separates tokens: as spaces, most texts pass the quick check and skip normalizing, which
    was a third of the tokenizer's time.
    """
    text = FULL_WIDTH_PUNCTUATION.sub(" ", text)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def runs(text):
    """(is_cjk, run) pairs of the normalized text, in order; punctuation and spaces dropped."""
    for cjk, word in RUN.findall(normalize(text)):
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
