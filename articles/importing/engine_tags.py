"""Blog engines' tags in a Markdown body, expanded the way each engine shows them.

Hexo tag plugins and Jekyll's Liquid tags (`{% name args %}` … `{% endname %}`), Hugo
shortcodes (`{{< name >}}`, `{{% name %}}` … `{{< /name >}}`) and Zola's
(`{{ name(k=v) }}`, `{% name() %}` … `{% end %}`). Tags inside code samples stay text. A tag
becomes HTML that waits in a placeholder (an HTML comment, which CommonMark passes through
as it stands) until the Markdown around it is rendered; a tag that yields a URL (post_path,
post_url, ref) is written into the Markdown itself, since it usually sits in a link. What we
cannot render is left out and said in `warnings`, never dropped silently.
"""

import bisect
import hashlib
import re
from dataclasses import dataclass, field

from . import tag_library
from .errors import PostError
from .markdown import renderer

# Arguments hold no braces and stop within 2,000 characters: an unclosed '{%' then costs a
# scan to the next brace, not to the end of the body ('{% a ' 20,000 times took minutes when
# the arguments could run on).
TAG = re.compile(
    r"\{%-?\s*(?P<liquid>[A-Za-z_][\w-]*)(?P<largs>[^{}]{0,2000}?)\s*-?%\}"
    r"|\{\{(?P<delim>[<%])\s*(?P<hclose>/)?\s*(?P<hugo>[\w./-]+)(?P<hargs>[^{}]{0,2000}?)"
    r"\s*(?P<hself>/)?\s*[>%]\}\}"
    r"|\{\{-?\s*(?P<call>[A-Za-z_]\w*)\((?P<cargs>[^{}]{0,2000}?)\)\s*-?\}\}"
    r"|\{\{-?\s*(?P<var>[A-Za-z_][\w.]*)\s*(?P<filters>\|[^{}]{0,2000}?)?-?\}\}"
)
# A code span longer than this is not looked for (each unclosed backtick would otherwise
# scan to the end of its paragraph).
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)[^`]{1,5000}?(?:`+[^`]{1,5000}?)*?(?<!`)\1(?!`)")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
RAW_MARKER = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
MAX_DEPTH = 8  # tags inside tags inside tags: a real post nests two or three
# The real posts here carry at most a few dozen; 5,000 nested pairs took 13 s to expand.
MAX_TAGS = 1000


@dataclass
class Tag:
    name: str
    args: str
    start: int
    end: int
    kind: str  # "open", "close" or "single"
    flavour: str  # "liquid", "hugo-markdown" ({{% %}}), "hugo" ({{< >}}), "call", "var"
    line: int = 0
    source: str = ""
    closer: "Tag | None" = None


@dataclass
class Context:
    engine: str = ""
    post_path: str = ""
    title: str = ""
    depth: int = 0
    warnings: list = field(default_factory=list)
    stash: dict = field(default_factory=dict)
    token: str = ""

    def warn(self, tag, reason):
        shown = " ".join(tag.source.split())
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        self.warnings.append(f"body line {tag.line}: {shown} {reason}")


@dataclass
class Expanded:
    text: str
    warnings: list
    stash: dict

    def restore(self, html):
        """Put each tag's HTML where its placeholder was rendered."""
        if not self.stash:
            return html
        pattern = re.compile("|".join(re.escape(key) for key in self.stash))
        return pattern.sub(lambda found: self.stash[found.group(0)], html)


def code_ranges(text):
    """(start, end) offsets of the body's code: fenced and indented blocks as CommonMark
    finds them, and code spans within the other paragraphs."""
    tokens = []
    renderer.block.parse(text, renderer, {}, tokens)
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    blocks = [
        (starts[token.map[0]], starts[min(token.map[1], len(starts) - 1)])
        for token in tokens
        if token.type in ("fence", "code_block") and token.map
    ]
    ranges, position = [], 0
    for start, end in [*blocks, (len(text), len(text))]:
        for paragraph in spans_between(text, position, start):
            ranges.append(paragraph)
        if start < end:
            ranges.append((start, end))
        position = max(position, end)
    return sorted(ranges)


def spans_between(text, start, end):
    offset = start
    for chunk in PARAGRAPH_BREAK.split(text[start:end]):
        for found in CODE_SPAN.finditer(chunk):
            yield offset + found.start(), offset + found.end()
        offset += len(chunk)
        gap = PARAGRAPH_BREAK.match(text, offset)
        offset = gap.end() if gap else offset


def inside(ranges, position):
    """`ranges` are sorted and do not overlap."""
    at = bisect.bisect_right(ranges, (position, float("inf"))) - 1
    return at >= 0 and ranges[at][0] <= position < ranges[at][1]


def find_tags(text, ranges):
    tags = []
    for found in TAG.finditer(text):
        if inside(ranges, found.start()):
            continue
        line = text.count("\n", 0, found.start()) + 1
        if found.group("liquid"):
            name = found.group("liquid")
            kind = "close" if name.startswith("end") else "open"
            name = name[3:] if kind == "close" else name
            args = found.group("largs")
            flavour = "liquid"
            if kind == "open" and args.lstrip().startswith("("):
                flavour = "call"  # Zola: {% name(args) %} … {% end %}
        elif found.group("hugo"):
            name, args = found.group("hugo"), found.group("hargs")
            kind = "single" if found.group("hself") else "open"
            kind = "close" if found.group("hclose") else kind
            flavour = "hugo-markdown" if found.group("delim") == "%" else "hugo"
        elif found.group("call"):
            name, args, kind, flavour = found.group("call"), found.group("cargs"), "single", "call"
        else:
            name, args = found.group("var"), found.group("filters") or ""
            kind, flavour = "single", "var"
        tag = Tag(name, args, found.start(), found.end(), kind, flavour, line, found.group(0))
        tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise PostError(f"the body has more than {MAX_TAGS} engine tags")
    return pair(tags)


def pair(tags):
    """Match each closing tag with its opening one; an opening tag never closed stands alone
    (most Hexo and Liquid tags have no end)."""
    stack = []
    for tag in tags:
        if tag.kind == "open":
            stack.append(tag)
        elif tag.kind == "close":
            for depth in range(len(stack) - 1, -1, -1):
                opened = stack[depth]
                # Zola closes any block with a bare {% end %}.
                if opened.name == tag.name or (tag.name == "" and opened.flavour == "call"):
                    opened.closer = tag
                    del stack[depth:]
                    break
    for tag in tags:
        if tag.kind == "open" and tag.closer is None:
            tag.kind = "single"
    return tags


def expand(text, engine="", post_path="", title="", depth=0, token=""):
    if "{%" not in text and "{{" not in text:
        return Expanded(text, [], {})
    context = Context(engine=engine, post_path=post_path, title=title, depth=depth)
    context.token = token or hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]
    return Expanded(expand_in(text, context), context.warnings, context.stash)


def expand_in(text, context):
    ranges = code_ranges(text)
    tags = find_tags(text, ranges)
    out, position, index = [], 0, 0
    while index < len(tags):
        tag = tags[index]
        if tag.kind == "close":  # a closer with no opening tag
            context.warn(tag, "closes nothing; left out")
            out.append(text[position : tag.start])
            position, index = tag.end, index + 1
            continue
        end = tag.closer.end if tag.closer else tag.end
        body = text[tag.end : tag.closer.start] if tag.closer else None
        out.append(text[position : tag.start])
        out.append(render_tag(tag, body, context))
        position = end
        index += 1
        while index < len(tags) and tags[index].start < end:
            index += 1  # the tags inside a paired tag are its body's business
    out.append(text[position:])
    return unescape_code(context, "".join(out), ranges)


def unescape_code(context, text, ranges):
    """Liquid runs before Markdown, even inside code: a Jekyll sample shows a tag by wrapping
    it in {% raw %}, and the site shows the sample without the markers."""
    if context.engine == "hexo" or not ranges or "raw" not in text:
        return text
    return RAW_MARKER.sub("", text)


def placeholder(context, html):
    """A comment opening a line is an HTML block of its own (it may interrupt a paragraph
    and ends on its line); inside a line it is inline HTML: either way CommonMark keeps it."""
    key = f"<!--engine-tag-{context.token}-{len(context.stash)}-->"
    context.stash[key] = html
    return key


def render_fragment(text, context):
    """A paired tag's Markdown body, tags and all, as HTML."""
    if context.depth >= MAX_DEPTH:
        return ""
    token = f"{context.token}x{len(context.stash)}"
    inner = expand(text, context.engine, context.post_path, context.title, context.depth + 1, token)
    context.warnings.extend(inner.warnings)
    return inner.restore(renderer.render(inner.text))


def render_tag(tag, body, context):
    rendered = tag_library.render(tag, body, context, render_fragment)
    if rendered is None:
        if body is not None:
            html = f'<div class="engine-tag">{render_fragment(body, context)}</div>'
            return placeholder(context, html)
        if tag.flavour == "var":
            context.warn(tag, "is a template variable the archive does not have; left out")
        else:
            context.warn(tag, "is not a tag the archive can render; left out")
        return ""
    html, kind = rendered
    if kind == "text":
        return html
    return placeholder(context, html)
