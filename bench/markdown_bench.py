"""Markdown renderers side by side over real posts: speed, and agreement with cmark-gfm.

    .venv/bin/python bench/markdown_bench.py [DIR ...]

DIRs default to ../shared/corpus and tests/fixtures/blogs. Every post's body (front matter
split off by our reader) is rendered by markdown-it-py as the importer configures it, by
cmark-gfm (GitHub's reference implementation of GFM: tables, strikethrough, autolinks, task
lists, footnotes, raw HTML kept) and by Python-Markdown with "extra" (what the importer used
before). Speed: the best of three passes over all bodies, per renderer, and its ratio to
markdown-it-py. Agreement: the share of posts whose rendering has the same element structure
and text as cmark-gfm's (attributes such as ids and classes are left out, so a heading id or
a highlighted code sample counts as the same).
"""

import argparse
import sys
import time
from pathlib import Path

import cmarkgfm
import markdown
from bs4 import BeautifulSoup
from cmarkgfm.cmark import Options

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.importing.markdown import make_renderer, renderer  # noqa: E402
from articles.importing.reading import raw_post_from_bytes  # noqa: E402

CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
plain = make_renderer()
plain.options["highlight"] = None


def bodies(folders):
    found = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in (".md", ".markdown") and path.name != "README.md":
                found.append(raw_post_from_bytes(path.name, path.read_bytes()).body)
    return found


RENDERERS = {
    "markdown-it-py": lambda text: renderer.render(text),
    "markdown-it-py, no highlighting": lambda text: plain.render(text),
    "cmark-gfm": lambda text: cmarkgfm.github_flavored_markdown_to_html(text, CMARK_OPTIONS),
    "Python-Markdown": lambda text: markdown.markdown(text, extensions=["extra", "sane_lists"]),
}


# Spellings of one thing: GFM's <del> is markdown-it's <s>; a footnote mark is "1" or "[1]";
# our renderer's footnote <div> is cmark's <section>.
SAME_ELEMENT = {"s": "del", "section": "div"}


def structure(html):
    """Element names and whitespace-normalized text, in document order; code samples as
    their text alone (highlighting adds spans)."""
    soup = BeautifulSoup(html, "html.parser")
    for code in soup.find_all("code"):
        code.string = code.get_text()
    out = []
    for node in soup.descendants:
        if getattr(node, "name", None):
            out.append(SAME_ELEMENT.get(node.name, node.name))
        elif str(node).strip():
            text = " ".join(str(node).split())
            out.append(text[1:-1] if text[:1] == "[" and text[-1:] == "]" else text)
    return out


def timed(render, texts):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            render(text)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", default=[ROOT.parent / "shared" / "corpus",
                                                    ROOT / "tests" / "fixtures" / "blogs"])
    texts = bodies(parser.parse_args().dirs)
    size = sum(len(text.encode()) for text in texts)
    print(f"{len(texts)} posts, {size / 1e6:.2f} MB of Markdown")
    reference = [structure(RENDERERS["cmark-gfm"](text)) for text in texts]
    base = None
    for name, render in RENDERERS.items():
        seconds = timed(render, texts)
        base = base or seconds
        same = sum(structure(render(t)) == ref for t, ref in zip(texts, reference, strict=True))
        print(
            f"{name:31} {seconds * 1000 / len(texts):7.2f} ms/post  x{seconds / base:5.2f}  "
            f"same as cmark-gfm: {same}/{len(texts)} ({100 * same / len(texts):.0f}%)"
        )


if __name__ == "__main__":
    main()
