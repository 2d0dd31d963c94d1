"""A picture host on 127.0.0.1 for the mirroring tests: good pictures and every fault.

It answers the way real hosts fail: a 404, a 403 only when a Referer is sent (Sina's rule),
an answer slower than the timeout, a redirect loop, an HTML page labelled image/jpeg, a body
past the size limit, a decompression bomb, a truncated JPEG. It counts requests per path so
a test can prove what was (not) fetched again.
"""

import io
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def jpeg(width, height, color=(200, 40, 40)):
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    # Some detail, so the copies are real photographs' size, not a flat colour.
    for x in range(0, width, 37):
        for y in range(0, height, 29):
            image.putpixel((x, y), (x % 255, y % 255, 90))
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def png(width, height, mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


PHOTO = jpeg(1600, 900)
# Distinct photographs for benchmarks (each URL gets one by its hash), made on first use.
_VARIETY = []


def photo_for(path, variety):
    if variety <= 1:
        return PHOTO
    while len(_VARIETY) < variety:
        n = len(_VARIETY)
        _VARIETY.append(jpeg(1600, 900, color=(40 + 3 * n % 200, 120, 200 - 2 * n % 150)))
    return _VARIETY[hash(path) % variety]
SMALL = png(200, 100)
BOMB = png(6000, 6000, mode="1")  # 36 megapixels in a few kilobytes (tests allow 10)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", kind="image/jpeg", length=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        self.server.requests[path] += 1
        if self.headers.get("Referer"):
            self.server.referers.append(path)
        name = path.rsplit("/", 1)[-1]
        folder = path.strip("/").split("/")[0]
        if name.startswith(("photo", "copy")) or folder == "photo":
            self.send(200, photo_for(path, self.server.variety))
        elif name.startswith("small") or folder == "small":
            self.send(200, SMALL, kind="image/png")
        elif name == "missing.jpg":
            self.send(404, b"not here", kind="text/plain")
        elif name == "referer.jpg":
            if self.headers.get("Referer"):
                self.send(403, b"hotlinking refused", kind="text/plain")
            else:
                self.send(200, PHOTO)
        elif name == "slow.jpg":
            time.sleep(self.server.slow_seconds)
            self.send(200, PHOTO)
        elif name == "loop.jpg":
            self.send_response(302)
            self.send_header("Location", path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif name == "page.jpg":
            self.send(200, b"<!doctype html><html><body>Login first</body></html>")
        elif name == "huge.jpg":
            self.send(200, kind="image/jpeg", length=50 * 1024 * 1024)
            try:
                for _ in range(800):
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                pass  # the mirror hung up: what it should do
        elif name == "bomb.png":
            self.send(200, BOMB, kind="image/png")
        elif name == "truncated.jpg":
            self.send(200, PHOTO[: len(PHOTO) // 2])
        else:
            self.send(404, b"", kind="text/plain")


class PictureServer:
    def __init__(self, slow_seconds=3, variety=1):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = Counter()
        self.httpd.referers = []
        self.httpd.slow_seconds = slow_seconds
        self.httpd.variety = variety
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self):
        return self.httpd.requests

    @property
    def referers(self):
        return self.httpd.referers

    def url(self, name):
        return f"{self.base}/pictures/{name}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
