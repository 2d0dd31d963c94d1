"""Mirror the pictures of articles into Django's storage and record each outcome.

Downloads run in a bounded thread pool (network-bound, no database); this thread writes the
files and the rows, so the database sees one writer. A picture is stored once per content
hash whatever the number of URLs or articles using it, and nothing here deletes a file: an
article deleted later leaves the pictures that others still show.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .. import cache_version
from ..models import Article, ArticleImage
from .fetching import HostPacer, Limits, MirrorError, absolute_url, fetch_picture, new_session
from .models import MirroredImage, url_key

MIRRORED, FAILED, SKIPPED = "mirrored", "failed", "skipped"
# Which pictures a run fetches: new ones, those that failed before, or both.
PENDING_ONLY, FAILED_ONLY, UNMIRRORED = "pending", "failed", "unmirrored"


@dataclass
class MirrorResult:
    counts: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)  # "URL: reason"


def limits_from_settings():
    return Limits(
        timeout=settings.NEWSARCHIVE_MIRROR_TIMEOUT,
        max_bytes=settings.NEWSARCHIVE_MIRROR_MAX_BYTES,
        max_pixels=settings.NEWSARCHIVE_MIRROR_MAX_PIXELS,
        host_interval=settings.NEWSARCHIVE_MIRROR_HOST_INTERVAL,
        allow_private=settings.NEWSARCHIVE_MIRROR_ALLOW_PRIVATE,
    )


def picture_urls(articles):
    """Every body image, lead image and thumbnail URL of `articles` that can be fetched."""
    ids = articles.values("pk")
    found = set(ArticleImage.objects.filter(article__in=ids).values_list("src", flat=True))
    for lead, thumb in Article.objects.filter(pk__in=ids).values_list(
        "lead_image_url", "thumbnail_url"
    ):
        found.update((lead, thumb))
    return {url for url in found if url and absolute_url(url)}


def register(urls):
    """A row for every URL not seen before, pending."""
    known = set(
        MirroredImage.objects.filter(url_hash__in=[url_key(u) for u in urls]).values_list(
            "url_hash", flat=True
        )
    )
    MirroredImage.objects.bulk_create(
        [
            MirroredImage(url=url, url_hash=url_key(url))
            for url in sorted(urls)
            if url_key(url) not in known
        ],
        ignore_conflicts=True,
    )


def store(row, picture):
    prefix = f"images/{picture.sha256[:2]}/{picture.sha256}"
    name = f"{prefix}.{picture.extension}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(picture.data))
    renditions = {}
    for width, data in picture.renditions.items():
        copy = f"{prefix}-{width}.webp"
        if not default_storage.exists(copy):
            default_storage.save(copy, ContentFile(data))
        renditions[str(width)] = copy
    row.status = MirroredImage.Status.MIRRORED
    row.sha256, row.file, row.format = picture.sha256, name, picture.format
    row.width, row.height, row.bytes = picture.width, picture.height, len(picture.data)
    row.renditions, row.last_error = renditions, ""


def mirror_images(articles, *, which=PENDING_ONLY, jobs=4, limits=None, report=None):
    """Mirror the pictures of `articles` (a queryset). Returns a MirrorResult.

    `which` picks new pictures, the failed ones (--retry-failed) or both (the admin's
    re-mirror). Pictures already mirrored are never fetched again.
    """
    urls = picture_urls(articles)
    register(urls)
    Status = MirroredImage.Status
    wanted = {
        PENDING_ONLY: [Status.PENDING],
        FAILED_ONLY: [Status.FAILED],
        UNMIRRORED: [Status.PENDING, Status.FAILED],
    }[which]
    rows = list(
        MirroredImage.objects.filter(url_hash__in=[url_key(u) for u in urls], status__in=wanted)
    )
    result = MirrorResult()
    result.counts[SKIPPED] = len(urls) - len(rows)
    limits = limits or limits_from_settings()
    pacer = HostPacer(limits.host_interval)
    session = new_session(limits)
    sizes = settings.NEWSARCHIVE_IMAGE_WIDTHS

    def fetch(row):
        try:
            return row, fetch_picture(absolute_url(row.url), session, limits, pacer, sizes), None
        except MirrorError as error:
            return row, None, str(error)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for row, picture, error in pool.map(fetch, rows):
            row.attempts += 1
            row.fetched_at = timezone.now()
            if picture is not None:
                store(row, picture)
                result.counts[MIRRORED] += 1
            else:
                row.status, row.last_error = MirroredImage.Status.FAILED, error[:500]
                result.counts[FAILED] += 1
                result.failures.append(f"{row.url}: {error}")
            row.save()
            if report:
                report(row)
    if result.counts[MIRRORED]:
        # Cached pages still point at the remote copies: readers get the local ones now.
        cache_version.bump()
    return result
