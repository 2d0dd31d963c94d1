"""Search tokens: what the full-text index stores for an article. No Django here.

The importer's worker processes build an article's index document while they parse it, so the
single writer only has to insert it; articles/search/ uses the same functions for articles
edited in the admin and for queries. Why character bigrams: see articles/search/__init__.py.

Text is folded before it is cut: NFKC (full-width ＧＤＰ２０２２ is gdp2022), case, and
traditional characters to simplified ones, character by character, with OpenCC's own
conversion (經濟 -> 经济, 後 -> 后). Folding one character at a time keeps every position
(the highlighter maps hits back onto the original characters) and makes the fold the same
wherever a character stands; OpenCC's phrase-aware conversion would fold 乾 in 乾隆 and in 乾燥
differently, and a query for the one character could then miss one of them.
"""

import re
import unicodedata
from functools import cache
from operator import add

import opencc

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


# Stands between two names of the meta column so that no phrase runs from one into the next; no
# query can produce it (it is not a letter, digit or CJK character).
BARRIER = "\u2063"
CJK_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))


@cache
def traditional_to_simplified():
    """str.translate table: each traditional character OpenCC's t2s turns into one simplified
    character. Built once per process from OpenCC's data.

    Each block is converted as one text, a character a line: no phrase of OpenCC's spans a
    line break, so each character is converted alone, as it would be by itself, and one call
    a block costs a tenth of one a character (about a second at every worker's start)."""
    converter = opencc.OpenCC("t2s")
    table = {}
    for first, last in CJK_BLOCKS:
        chars = [chr(code) for code in range(first, last + 1)]
        converted = converter.convert("\n".join(chars)).split("\n")
        if len(converted) != len(chars):  # a line break gained or lost: one at a time
            converted = [converter.convert(char) for char in chars]
        for char, simplified in zip(chars, converted, strict=True):
            if simplified != char and len(simplified) == 1:
                table[ord(char)] = simplified
    return table


@cache
def traditional_character():
    """A pattern that finds a character `fold` would change: a simplified text, nearly every
    crawled one, is searched in a tenth of the time a translate() of it takes. Characters past
    U+FFFF are matched as a range, which keeps the class one fast bitmap."""
    table = traditional_to_simplified()
    basic = "".join(re.escape(chr(code)) for code in sorted(table) if code <= 0xFFFF)
    return re.compile(f"[{basic}]|[\U00010000-\U0010ffff]")


def fold(text):
    """Traditional characters as simplified ones, one for one (see the module docstring)."""
    if traditional_character().search(text) is None:
        return text
    return text.translate(traditional_to_simplified())


def normalize(text):
    """NFKC (full-width ＧＤＰ２０２２ is GDP2022), skipped when it would change nothing.

    Full-width punctuation (，：（）) is nearly all that NFKC changes in Chinese text, and it only
    separates tokens: as spaces, most texts pass the quick check and skip normalizing, which
    was a third of the tokenizer's time.
    """
    text = FULL_WIDTH_PUNCTUATION.sub(" ", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return fold(text)


def runs(text):
    """(is_cjk, run) pairs of the normalized text, in order; punctuation and spaces dropped."""
    for cjk, word in RUN.findall(normalize(text)):
        if cjk:
            yield True, cjk
        elif len(word) <= MAX_TOKEN_LENGTH:
            yield False, word.casefold()


def tokenize(text):
    """Index tokens: one per CJK character (see articles/search/), one per word."""
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
    # A barrier between names, so that no phrase matches across two of them.
    meta = f" {BARRIER} ".join(" ".join(tokenize(name)) for name in names if name)
    return (" ".join(tokenize(title)), meta, " ".join(tokenize(body_text)))
