"""Download one picture and prove it is one. Plain functions, no Django.

Every way a remote picture goes wrong ends as a MirrorError whose message says what happened
(an HTTP status, a timeout, a redirect loop, not an image, too large, a decompression bomb, a
truncated file), so the caller records it for that image and goes on with the others.

requests and Pillow are imported by the functions that use them: this module is loaded with
the admin by every manage.py command and gunicorn worker, and the two took longer to import
than a re-import of 10,000 unchanged files takes to check them.
"""

import hashlib
import io
import ipaddress
import socket
import threading
import time
import warnings
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
USER_AGENT = "newsarchive-image-mirror/1 (+archive copy of an article's pictures)"


class MirrorError(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds to connect, and between two reads
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000  # a decompression bomb is refused before it is decoded
    max_redirects: int = 5
    host_interval: float = 0.2  # at least this long between two requests to one host
    allow_private: bool = False  # loopback and private addresses (tests, intranets)


@dataclass
class Picture:
    data: bytes
    sha256: str
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP
    width: int
    height: int
    renditions: dict = field(default_factory=dict)  # width -> WebP bytes

    @property
    def extension(self):
        return FORMATS[self.format]


class HostPacer:
    """Politeness: requests to one host are spaced by `interval`, whatever the thread."""

    def __init__(self, interval):
        self.interval = interval
        self.lock = threading.Lock()
        self.next_slot = {}

    def wait(self, host):
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot.get(host, now))
            self.next_slot[host] = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def absolute_url(url):
    """The URL to fetch, or None for what cannot be fetched (relative paths, data:)."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def check_host(host, allow_private):
    # The URLs come from crawled files: without this a post could make the server fetch from
    # its own network (a metadata service, an admin port) and store the answer.
    if allow_private:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise MirrorError(f"host not found: {host}") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise MirrorError(f"refused: {host} is a private or local address ({ip})")


def new_session(limits):
    import requests

    session = requests.Session()
    session.max_redirects = limits.max_redirects
    # No Referer, ever (requests sends none): Sina's image host answers 403 to one.
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "image/*"})
    session.trust_env = False
    return session


def open_following_redirects(url, session, limits, pacer):
    """The final response for `url`, each hop's host checked before it is asked.

    Redirects are followed here rather than by requests, so a public URL cannot redirect
    the mirror into the local network.
    """
    seen = set()
    for _hop in range(limits.max_redirects + 1):
        host = urlsplit(url).hostname
        check_host(host, limits.allow_private)
        pacer.wait(host)
        response = session.get(url, stream=True, timeout=limits.timeout, allow_redirects=False)
        if not response.is_redirect:
            return response
        response.close()
        seen.add(url)
        url = absolute_url(urljoin(url, response.headers["Location"])) or ""
        if not url:
            raise MirrorError("redirected to something that is not an http(s) URL")
        if url in seen:
            raise MirrorError("redirect loop")
    raise MirrorError(f"more than {limits.max_redirects} redirects")


def download(url, session, limits, pacer):
    import requests

    try:
        with open_following_redirects(url, session, limits, pacer) as response:
            if response.status_code != 200:
                raise MirrorError(f"HTTP {response.status_code}")
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if not kind.startswith("image/"):
                raise MirrorError(f"not an image: served as {kind or 'no type'}")
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > limits.max_bytes:
                raise MirrorError(f"too large: {declared} bytes (limit {limits.max_bytes})")
            data = bytearray()
            for block in response.iter_content(64 * 1024):
                data += block
                if len(data) > limits.max_bytes:
                    raise MirrorError(f"too large: over {limits.max_bytes} bytes")
            return bytes(data)
    except requests.Timeout as error:
        raise MirrorError(f"timed out after {limits.timeout:g} s") from error
    except requests.RequestException as error:
        raise MirrorError(f"download failed: {type(error).__name__}") from error


def inspect(data, limits):
    """(format, width, height) of a complete, decodable picture of an allowed format."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format, probe.size
                if fmt not in FORMATS:
                    raise MirrorError(f"not a web picture format: {fmt}")
                if width * height > limits.max_pixels:
                    raise MirrorError(
                        f"decompression bomb: {width}x{height} pixels (limit {limits.max_pixels})"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # verify() reads no pixels; a truncated file fails only here
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise MirrorError(f"decompression bomb: {error}") from error
        except UnidentifiedImageError as error:
            raise MirrorError("not an image: the bytes are no known picture format") from error
        except (OSError, SyntaxError, ValueError) as error:
            raise MirrorError(f"broken picture: {error}") from error
    return fmt, width, height


def renditions(data, width, sizes):
    """WebP copies at each of `sizes` narrower than the picture (srcset's candidates)."""
    from PIL import Image

    made = {}
    with Image.open(io.BytesIO(data)) as image:
        if getattr(image, "is_animated", False):
            return made  # a resized animation would be a still picture: keep the original
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        for size in sorted(s for s in sizes if s < width):
            # reducing_gap: a cheap box reduction first, then Lanczos; same look, less work.
            copy = image.resize(
                (size, round(image.height * size / width)), Image.LANCZOS, reducing_gap=2.0
            )
            out = io.BytesIO()
            copy.save(out, "WEBP", quality=80, method=3)
            made[size] = out.getvalue()
    return made


def fetch_picture(url, session, limits, pacer, sizes=()):
    data = download(url, session, limits, pacer)
    fmt, width, height = inspect(data, limits)
    return Picture(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        width=width,
        height=height,
        renditions=renditions(data, width, sizes),
    )
