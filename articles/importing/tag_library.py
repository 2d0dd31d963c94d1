"""The engines' built-in tags, each as the HTML our allowlist keeps.

Hexo: blockquote, codeblock/code, pullquote, img, link, iframe, youtube, vimeo, gist,
jsfiddle, raw, post_link, post_path, asset_img/asset_link/asset_path. Jekyll: raw,
highlight, link, post_url. Hugo: figure, youtube, vimeo, gist, highlight, ref/relref (and
Zola's figure/youtube/vimeo/gist shortcodes, which take the same arguments by name).

Embeds are links, not iframes: the public pages' CSP allows frames from nowhere, a
third-party player would set its cookies on every reader who merely opens the page, and the
sanitizer keeps no <iframe>. A reader who follows the link gets the video on its own site.

`render` answers (html, kind) with kind "block", "inline" or "text" (written into the
Markdown as it stands), or None for a tag it does not know.
"""

import html
import re
import shlex
from pathlib import PurePosixPath
from urllib.parse import quote

from ..content.highlight import code_block, language_of
from .markdown import ID_PREFIX, SOURCE_LINK_ROOT

# Where a link to another post of the same blog points: the archive's view that finds the
# article imported from that file (articles:source_link; a test checks the two agree).
SOURCE_LINK = SOURCE_LINK_ROOT + "{}/"
URL = re.compile(r"^(?:https?:)?//|^/|^\.{0,2}/|^[\w.-]+\.(?:png|jpe?g|gif|webp|svg|avif)$", re.I)
NAMED = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s,]+)""")
DIMENSION = re.compile(r"^\d{1,5}(?:px|%)?$")
HEXO_OPTION = re.compile(r"^(lang|line_number|highlight|first_line|mark|wrap|line_threshold):")


def words(args):
    """Arguments as the engines split them: on spaces, quotes kept together."""
    try:
        return shlex.split(args.strip())
    except ValueError:  # an unbalanced quote: split on spaces
        return args.split()


def named(args):
    return {key.lower(): value.strip("\"'") for key, value in NAMED.findall(args)}


def positional(args):
    return [word for word in words(NAMED.sub("", args)) if word != ","]


def attr(value):
    return html.escape(str(value), quote=True)


def link(href, text):
    return f'<a href="{attr(href)}">{html.escape(text, quote=False)}</a>'


def source_link(name):
    """Our URL for another post named by its file (slug, path or Jekyll date-name)."""
    path = PurePosixPath(name.strip().strip("\"'").split("#")[0].split("?")[0].strip("/"))
    stem = path.parent.name if path.stem in ("index", "_index") else path.stem
    fragment = name.split("#", 1)[1] if "#" in name else ""
    return SOURCE_LINK.format(quote(stem or name.strip())) + (
        f"#{ID_PREFIX}{fragment}" if fragment else ""
    )


def embed(href, text):
    return f'<figure class="embed"><p>{link(href, text)}</p></figure>', "block"


def video(site, ident):
    ident = ident.strip("\"'")
    if not ident:
        return None
    if site == "youtube":
        return embed(f"https://www.youtube.com/watch?v={quote(ident)}", f"YouTube video {ident}")
    return embed(f"https://vimeo.com/{quote(ident)}", f"Vimeo video {ident}")


def hexo_blockquote(tag, body, fragment):
    parts = words(tag.args)
    url_at = next((i for i, word in enumerate(parts) if re.match(r"https?://", word)), None)
    head = " ".join(parts if url_at is None else parts[:url_at])
    author, _, source = head.partition(",")
    href = parts[url_at] if url_at is not None else ""
    title = " ".join(parts[url_at + 1 :]) if url_at is not None else ""
    caption = []
    if author.strip():
        caption.append(f"<strong>{html.escape(author.strip(), quote=False)}</strong>")
    cite = source.strip() or title or (href and re.sub(r"^https?://", "", href)[:60])
    if cite:
        inner = link(href, cite) if href else html.escape(cite, quote=False)
        caption.append(f"<cite>{inner}</cite>")
    quoted = f"<blockquote>{fragment(body)}</blockquote>"
    if not caption:
        return quoted, "block"
    footer = f"<figcaption>— {', '.join(caption)}</figcaption>"
    return f'<figure class="quote">{quoted}{footer}</figure>', "block"


def hexo_codeblock(tag, body):
    parts = words(tag.args)
    options = dict(part.split(":", 1) for part in parts if HEXO_OPTION.match(part))
    rest = [part for part in parts if not HEXO_OPTION.match(part)]
    language = language_of(options.get("lang", ""))
    url_at = next((i for i, word in enumerate(rest) if re.match(r"https?://", word)), None)
    title = " ".join(rest if url_at is None else rest[:url_at])
    code = code_block(body.strip("\n") + "\n", language)
    if url_at is None and not title:
        return code, "block"
    caption = html.escape(title, quote=False)
    if url_at is not None:
        caption += " " + link(rest[url_at], " ".join(rest[url_at + 1 :]) or "link")
    figure = f'<figure class="code"><figcaption>{caption.strip()}</figcaption>{code}</figure>'
    return figure, "block"


def hexo_img(tag):
    parts = words(tag.args)
    src_at = next((i for i, word in enumerate(parts) if URL.match(word)), None)
    if src_at is None:
        return None
    src, rest = parts[src_at], parts[src_at + 1 :]
    sizes = [word for word in rest[:2] if DIMENSION.match(word)]
    texts = rest[len(sizes) :]
    title = texts[0] if texts else ""
    alt = texts[1] if len(texts) > 1 else title
    attributes = f' src="{attr(src)}" alt="{attr(alt)}"'
    attributes += f' title="{attr(title)}"' if title else ""
    for name, value in zip(("width", "height"), sizes, strict=False):
        attributes += f' {name}="{attr(value.removesuffix("px"))}"'
    return f"<img{attributes}>", "inline"


def hexo_link(tag):
    parts = words(tag.args)
    url_at = next((i for i, word in enumerate(parts) if URL.match(word)), None)
    if url_at is None:
        return None
    text = " ".join(parts[:url_at]) or parts[url_at]
    return link(parts[url_at], text), "inline"


def asset(tag, context, kind):
    """The post's asset folder is not imported with it: the reader gets the file's name and
    the importer a warning, rather than a link that cannot load."""
    parts = words(tag.args)
    name = parts[0] if parts else ""
    label = " ".join(parts[1:]).strip("\"'") or name
    context.warn(tag, "names a file of the post's asset folder, which is not imported")
    if kind == "path":
        return "", "text"
    return f"<em>{html.escape(label, quote=False)}</em>", "inline"


def hugo_figure(tag):
    options = named(tag.args)
    src = options.get("src") or options.get("image") or options.get("path")
    if not src:
        return None
    image = f'<img src="{attr(src)}" alt="{attr(options.get("alt", options.get("caption", "")))}"'
    for name in ("width", "height"):
        if DIMENSION.match(options.get(name, "")):
            image += f' {name}="{attr(options[name].removesuffix("px"))}"'
    image += ">"
    if options.get("link"):
        image = f'<a href="{attr(options["link"])}">{image}</a>'
    caption = " ".join(filter(None, (options.get("title"), options.get("caption"))))
    if options.get("attr"):
        credit = options["attr"]
        credit = link(options["attrlink"], credit) if options.get("attrlink") else credit
        caption = f"{caption} {credit}".strip()
    figcaption = f"<figcaption>{html.escape(caption, quote=False)}</figcaption>" if caption else ""
    return f"<figure>{image}{figcaption}</figure>", "block"


def gist(ident, file_name=""):
    ident = ident.strip("\"'")
    if not ident:
        return None
    href = f"https://gist.github.com/{quote(ident)}"
    return embed(href + (f"#file-{quote(file_name)}" if file_name else ""), f"Gist {ident}")


def render(tag, body, context, render_fragment):
    def fragment(text):
        return render_fragment(text, context)

    name, args = tag.name.lower(), tag.args
    first = (positional(args) or [""])[0]
    if tag.flavour == "var":
        if tag.name in ("site.baseurl", "site.url", "base_url", "config.base_url"):
            return "", "text"  # our links are root-relative
        if tag.name in ("page.title", "title"):
            return html.escape(context.title, quote=False), "text"
        return None
    if body is not None:
        if name == "raw":
            # Hexo passes raw HTML through; Liquid only stops reading tags in it.
            return (body, "block") if context.engine == "hexo" else (body, "text")
        if name in ("codeblock", "code") and tag.flavour == "liquid":
            return hexo_codeblock(tag, body)
        if name == "highlight":
            language = language_of(first) or language_of(named(args).get("lang", ""))
            return code_block(body.strip("\n") + "\n", language), "block"
        if name == "blockquote":
            return hexo_blockquote(tag, body, fragment)
        if name == "pullquote":
            return f'<blockquote class="pullquote">{fragment(body)}</blockquote>', "block"
        if name == "comment":
            return "", "text"
        return None
    options = named(args)
    if name == "youtube":
        return video("youtube", options.get("id", first))
    if name == "vimeo":
        return video("vimeo", options.get("id", first))
    if name == "gist":
        parts = positional(args)
        if tag.flavour in ("hugo", "hugo-markdown") and len(parts) >= 2:
            return gist(f"{parts[0]}/{parts[1]}", parts[2] if len(parts) > 2 else "")
        return gist(options.get("id", first), parts[1] if len(parts) > 1 else "")
    if name == "jsfiddle" and first:
        return embed(f"https://jsfiddle.net/{quote(first)}/", f"JSFiddle {first}")
    if name == "iframe" and first:
        return embed(first, first)
    if name == "figure" or (name == "img" and tag.flavour != "liquid"):
        return hugo_figure(tag)
    if name == "img":
        return hexo_img(tag)
    if name == "link" and tag.flavour == "liquid":
        if len(words(args)) == 1 and not re.match(r"https?://", first):
            return source_link(first), "text"  # Jekyll: {% link _posts/2016-07-26-x.md %}
        return hexo_link(tag)
    if name in ("post_path", "post_url", "ref", "relref"):
        return source_link(first), "text"
    if name == "post_link" and first:
        parts = words(args)
        text = " ".join(word for word in parts[1:] if word not in ("true", "false")) or first
        return link(source_link(first), text), "inline"
    if name in ("asset_img", "asset_image"):
        return asset(tag, context, "img")
    if name == "asset_link":
        return asset(tag, context, "link")
    if name == "asset_path":
        return asset(tag, context, "path")
    return None
