"""Code samples highlighted at import time by Pygments, as classes and never as styles.

The public pages' CSP forbids style attributes, so the formatter writes class names only
(`<span class="k">`) and `static/css/pygments.css` (made by `stylesheet()`, checked by a
test) colours them. The sanitizer keeps exactly these classes: the ones Pygments can write
on spans, and `language-<alias>` on code for every language Pygments knows.
"""

import re
from functools import lru_cache
from html import escape, unescape

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

# Engines' fence names that are not Pygments aliases.
ALIASES = {"sh": "bash", "shell": "bash", "zsh": "bash", "yml": "yaml", "jsx": "javascript"}
# A sample past this is shown plain: Pygments' regex lexers are linear but slow on megabytes.
MAX_HIGHLIGHT_CHARS = 200_000
STYLESHEET_SCOPE = ".article-body pre code"
# Whitespace needs no colour, and a span holding only blanks is what the cleaner drops as
# empty: indentation would vanish from the sample.
WHITESPACE_SPAN = re.compile(r'<span class="w">(\s*)</span>')

_formatter = HtmlFormatter(nowrap=True)
TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)


def language_aliases():
    aliases = set(ALIASES)
    for _name, names, *_ in get_all_lexers(plugins=False):
        aliases.update(name.lower() for name in names)
    return aliases


LANGUAGE_CLASSES = frozenset(f"language-{alias}" for alias in language_aliases())


def language_of(info):
    """'js title="x"' or 'lang:js' -> 'js'; '' when the info string names no language."""
    word = (info or "").strip().split(maxsplit=1)[0] if (info or "").strip() else ""
    word = word.removeprefix("lang:").strip("{}.").lower()
    return word if f"language-{word}" in LANGUAGE_CLASSES else ""


@lru_cache(maxsize=256)
def lexer_for(language):
    try:
        # startinline: a PHP sample in a post seldom opens with "<?php".
        return get_lexer_by_name(
            ALIASES.get(language, language), stripnl=False, ensurenl=False, startinline=True
        )
    except ClassNotFound:
        return None


def highlight(code, language):
    """Escaped HTML spans for `code`, or '' when the language is unknown (shown plain)."""
    lexer = lexer_for(language) if language else None
    if lexer is None or len(code) > MAX_HIGHLIGHT_CHARS:
        return ""
    return WHITESPACE_SPAN.sub(r"\1", pygments_highlight(code, lexer, _formatter))


def code_block(code, language=""):
    """One `<pre><code>` the way the Markdown renderer writes a fenced block."""
    inner = highlight(code, language) or escape(code, quote=False)
    attribute = f' class="language-{language}"' if language else ""
    return f"<pre><code{attribute}>{inner}</code></pre>\n"


# A code block as the admin's editor sends it back: its code blocks hold text alone, so the
# highlighting spans are gone and only the language class is left.
PLAIN_CODE_BLOCK = re.compile(r'<pre><code class="language-([\w+#.-]+)">([^<]*)</code></pre>')


def highlight_plain_blocks(html):
    """`html` with every unhighlighted code block of a known language highlighted again, as
    the importer would have; a highlighted block has spans and is left alone."""

    def again(match):
        language, code = match.group(1), unescape(match.group(2))
        inner = highlight(code, language)
        if not inner:
            return match.group(0)
        return f'<pre><code class="language-{language}">{inner}</code></pre>'

    return PLAIN_CODE_BLOCK.sub(again, html) if "<pre><code class=" in html else html


def stylesheet():
    """The CSS for TOKEN_CLASSES, scoped to article bodies."""
    formatter = HtmlFormatter(style="default")
    rules = [
        *formatter.get_background_style_defs(STYLESHEET_SCOPE),
        *formatter.get_token_style_defs(STYLESHEET_SCOPE),
    ]
    header = "/* Made by articles.content.highlight.stylesheet(); do not edit. */"
    return "\n".join([header, *rules]) + "\n"
