"""Find post files, decode their bytes and split off the front matter. No Django here."""

import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass

from ..strings import XML_FORBIDDEN, xml_safe
from . import limits
from .errors import PostError

POST_SUFFIXES = {".md", ".markdown", ".mkd", ".html", ".htm", ".txt"}

# Hexo's fences: '---' for YAML, ';;;' for JSON; '+++' (TOML) as Hugo and Zola write it.
FENCES = {"---": "yaml", ";;;": "json", "+++": "toml"}
FENCE_LINE = re.compile(r"^(-{3,}|;{3,}|\+{3,})[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class RawPost:
    rel_path: str  # the identity: path relative to the PATH argument, '/'-separated
    text: str  # the whole decoded file, kept with the article for re-processing
    content_hash: str
    encoding: str
    front_matter: str
    front_format: str  # yaml, json or toml ('' when the file has none)
    front_line: int  # 1-based line of the front matter's first line in the file
    body: str
    notes: tuple = ()  # what was stripped, for the report


def iter_post_files(paths):
    """Yield (root, file) for every post under the given files and directories, sorted.

    Symlinked directories are not followed (a link loop would never end); hidden files and
    folders (.git, .DS_Store) are skipped, as Hexo skips them. Paths are plain strings:
    at tens of thousands of files, pathlib objects cost more than reading the stat() of each.
    """
    for given in map(os.fspath, paths):
        if os.path.isdir(given):
            for folder, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_drafts")))
                for name in sorted(files):
                    suffix = os.path.splitext(name)[1].lower()
                    if not name.startswith(".") and suffix in POST_SUFFIXES:
                        yield given, os.path.join(folder, name)
        else:
            # A file named directly is read whatever its suffix; its identity is its name.
            yield os.path.dirname(given), given


def relative_identity(root, path):
    """The path below `root`, '/'-separated: the identity Hexo gives a post."""
    prefix = os.path.join(root, "")
    if root and path.startswith(prefix):
        relative = path[len(prefix) :]
    else:
        relative = os.path.relpath(path, root or os.curdir)
    return relative.replace(os.sep, "/")


def read_bytes(path):
    # Opened before it is looked at, and looked at through the open descriptor: a name can
    # be swapped for something else between a stat() and an open(). O_NONBLOCK because
    # opening a FIFO ('mkfifo post.md') for reading waits for a writer forever; on a regular
    # file it changes nothing.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except IsADirectoryError as error:
        raise PostError("is a directory, not a post file") from error
    except OSError as error:
        raise PostError(f"cannot read file: {error.strerror or error}") from error
    with open(fd, "rb") as handle:
        try:
            status = os.fstat(fd)
            if stat.S_ISDIR(status.st_mode):
                raise PostError("is a directory, not a post file")
            if not stat.S_ISREG(status.st_mode):  # a FIFO, a socket, /dev/zero behind a link
                raise PostError("not a regular file")
            most = limits.current().file_bytes
            if status.st_size > most:
                raise PostError(too_big(status.st_size))
            data = handle.read(most + 1)
        except OSError as error:
            raise PostError(f"cannot read file: {error.strerror or error}") from error
    if len(data) > most:  # it grew after the fstat()
        raise PostError(too_big(len(data)) + " (it grew while being read)")
    return data


def too_big(size):
    most = limits.current().file_bytes
    return f"file is {size / 1048576:.1f} MB, over the {most / 1048576:g} MB limit"


def content_hash(data):
    return hashlib.sha256(data).hexdigest()


def decode(data):
    """(text, encoding, notes). UTF-8 (with or without BOM) first; GB18030 (a superset of GBK)
    only when UTF-8 fails.

    UTF-16 only with its BOM (Windows Notepad's "Unicode"): without one it cannot be told
    from binary. A stray NUL in a text file is dropped with a note; a file that starts with
    one, or where they are more than a few and one byte in a hundred, is binary (an image, a
    zip, UTF-16 without its BOM), not a post.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # the BOM picks the byte order and is dropped
        except UnicodeDecodeError as error:
            raise PostError(f"broken UTF-16 (bad bytes at offset {error.start})") from error
        text, notes = without_nul(text, "characters")
        return text, "utf-16", notes
    notes = ()
    if b"\x00" in data:
        data, notes = without_nul(data, "bytes")
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
        return text, "utf-8-sig", notes
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError as utf8_error:
        if notes:  # NULs and not UTF-8: binary, whatever GB18030 would make of it
            raise PostError("binary file (contains NUL bytes), not a text post") from utf8_error
        try:
            return data.decode("gb18030"), "gb18030", notes
        except UnicodeDecodeError:
            raise PostError(
                f"not UTF-8 (bad byte at offset {utf8_error.start}) and not GB18030 either"
            ) from utf8_error


def without_nul(data, unit):
    """(data without NULs, notes). PostgreSQL cannot store a NUL in text at all."""
    nul = "\x00" if isinstance(data, str) else b"\x00"
    count = data.count(nul)
    if not count:
        return data, ()
    if data[:1] == nul or count > max(8, len(data) // 100):
        raise PostError(f"binary file (contains NUL {unit}), not a text post")
    return data.replace(nul, type(data)()), (f"{count} NUL {unit} removed",)


def strip_controls(text):
    """What XML 1.0 forbids (C0 controls but tab and newline, U+FFFE, U+FFFF): invisible in a
    page, but Django's feed writer raised on them, so one in a title made every feed a 500."""
    return xml_safe(text)


def normalize(text):
    """(text, notes): one kind of line end, nothing XML forbids, the crawler's braces back."""
    text, removed = XML_FORBIDDEN.subn("", text.replace("\r\n", "\n").replace("\r", "\n"))
    notes = (f"{removed} characters XML forbids removed",) if removed else ()
    # The crawler escaped every brace as an entity, front matter included.
    return text.replace("&#123;", "{").replace("&#125;", "}"), notes


def split_front_matter(text):
    """Return (front_matter, format, first_line, body), following hexo-front-matter's rules.

    The opening fence may be missing (then everything before the first fence line is front
    matter) and may follow blank lines (every crawled file starts with one).
    """
    stripped = text.lstrip("\n")
    skipped = len(text) - len(stripped)
    first = stripped.split("\n", 1)[0].rstrip()
    opening = FENCE_LINE.fullmatch(first)
    if opening:
        fence = opening.group(1)
        start = len(first) + 1
        closing = re.compile(rf"^{re.escape(fence)}[ \t]*$", re.MULTILINE).search(stripped, start)
        if not closing:
            raise PostError(f"front matter opened with '{fence}' is never closed", line=skipped + 1)
        front = stripped[start : closing.start()]
        body = stripped[closing.end() :].removeprefix("\n")
        return front, FENCES[fence[:3]], skipped + 2, body
    closing = FENCE_LINE.search(stripped)
    if closing and closing.group(1).startswith(("-", ";")):
        front = stripped[: closing.start()]
        return (
            front,
            FENCES[closing.group(1)[:3]],
            skipped + 1,
            stripped[closing.end() :].lstrip("\n"),
        )
    return "", "", 0, text


def read_post(root, path):
    data = read_bytes(path)
    return raw_post_from_bytes(relative_identity(root, path), data)


def raw_post_from_bytes(rel_path, data):
    text, encoding, notes = decode(data)
    return raw_post_from_text(rel_path, text, content_hash(data), encoding, notes)


def raw_post_from_text(rel_path, text, digest, encoding="utf-8", notes=()):
    normalized, stripped = normalize(text)
    front, front_format, front_line, body = split_front_matter(normalized)
    return RawPost(
        rel_path=rel_path,
        text=text,
        content_hash=digest,
        encoding=encoding,
        front_matter=front,
        front_format=front_format,
        front_line=front_line,
        body=body,
        notes=(*notes, *stripped),
    )
