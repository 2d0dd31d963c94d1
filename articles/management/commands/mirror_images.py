from django.core.management.base import BaseCommand, CommandError

from articles.mirroring.service import FAILED_ONLY, PENDING_ONLY, mirror_images
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Copy article pictures (body images, lead images, thumbnails) into the archive's own "
        "storage. Pictures mirrored before are not fetched again; failures are recorded per "
        "picture and retried with --retry-failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="article ids (or --all)")
        parser.add_argument("--all", action="store_true", help="every article")
        parser.add_argument("--jobs", type=int, default=4, help="downloads at once (default 4)")
        parser.add_argument(
            "--retry-failed", action="store_true", help="fetch again only the pictures that failed"
        )

    def handle(self, *args, ids, **options):
        self.verbosity = options["verbosity"]
        if bool(ids) == options["all"]:
            raise CommandError("name article ids, or pass --all")
        articles = Article.objects.all() if options["all"] else Article.objects.filter(pk__in=ids)
        which = FAILED_ONLY if options["retry_failed"] else PENDING_ONLY
        run(self, articles, jobs=options["jobs"], which=which)


def run(command, articles, **options):
    """Mirror and report; shared with import_articles --mirror-images."""
    verbosity = command.verbosity

    def report(image):
        if image.status == "failed" and verbosity >= 1:
            command.stderr.write(f"failed: {image.url}: {image.last_error}")
        elif verbosity >= 2:
            command.stdout.write(f"{image.status}: {image.url}")

    result = mirror_images(articles, report=report, **options)
    counts = result.counts
    if verbosity >= 1:
        command.stdout.write(
            f"pictures: {counts['mirrored']} mirrored, {counts['failed']} failed, "
            f"{counts['skipped']} already done or waiting for --retry-failed"
        )
    if counts["failed"]:
        raise CommandError(f"{counts['failed']} picture(s) could not be mirrored")
