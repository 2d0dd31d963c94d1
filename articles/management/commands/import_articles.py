import sys
from contextlib import nullcontext
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.importing.engines import ENGINES
from articles.importing.limits import default_jobs
from articles.importing.locking import ImportLocked, import_lock
from articles.importing.runner import import_paths
from articles.importing.stops import ImportAborted
from articles.management.commands.mirror_images import run as mirror_run
from articles.models import Article
from articles.strings import printable


class Command(BaseCommand):
    help = (
        "Import Hexo-style post files (front matter + HTML or Markdown) from files and "
        "directories. Safe to re-run: unchanged files are skipped, changed ones updated in "
        "place, articles edited in the admin are kept unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="post files or directories (recursive)")
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="parser processes (default %(default)s, the cores this process may use; "
            "1 parses in this process)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="parse, clean and validate everything; write nothing",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="re-import every file and overwrite articles edited in the admin",
        )
        parser.add_argument(
            "--checksum",
            action="store_true",
            help="read and hash every file, even those whose size and mtime are unchanged",
        )
        parser.add_argument(
            "--timezone",
            default=settings.NEWSARCHIVE_IMPORT_TIMEZONE,
            help="zone for dates written without one (default %(default)s)",
        )
        parser.add_argument(
            "--mirror-images",
            action="store_true",
            help="then copy the pictures of the articles it wrote into the archive's storage",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="unpublish (never delete) articles whose source file is gone from a "
            "directory being imported",
        )
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default="",
            help="read every file as this engine writes it (default: the engine of the site "
            "configuration found at or above each file; none found: crawler/Hexo rules)",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="if another import is running, wait for it to finish instead of refusing",
        )

    def handle(self, *args, **options):
        try:
            ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise CommandError(f"unknown time zone '{options['timezone']}'") from error
        verbosity = options["verbosity"]
        # With the total, tqdm shows the share done, the rate and the time left.
        progress = tqdm(
            unit=" files", disable=verbosity != 1 or not sys.stdout.isatty(), file=sys.stdout
        )

        def counted(total):
            progress.total = total
            progress.refresh()

        def report(outcome):
            if outcome.action == "failed" and verbosity >= 1:
                progress.clear()  # keep the bar from tearing the message
                self.stderr.write(f"failed: {outcome.error}")
            elif verbosity >= 2:
                note = f" ({outcome.note})" if outcome.note else ""
                self.stdout.write(f"{outcome.action}: {printable(outcome.rel_path)}{note}")
            progress.update()

        # A dry run writes nothing: it neither waits for a real run nor blocks one.
        lock = nullcontext()
        if not options["dry_run"]:
            lock = import_lock("import_articles", wait=options["wait"], notify=self.stderr.write)
        try:
            with lock:
                result = import_paths(
                    options["paths"],
                    zone_name=options["timezone"],
                    jobs=options["jobs"],
                    force=options["force"],
                    checksum=options["checksum"],
                    prune=options["prune"],
                    dry_run=options["dry_run"],
                    engine=options["engine"],
                    report=report,
                    counted=counted,
                    arguments=" ".join(sys.argv[2:]),
                )
        except ImportLocked as error:
            raise CommandError(
                f"{error}; try again when it has finished, or pass --wait"
            ) from error
        except ImportAborted as error:
            progress.close()
            result = error.result
            if verbosity >= 1:
                self.stdout.write(result.summary())
            why = f" (no import run recorded: {result.unrecorded})" if result.unrecorded else ""
            raise CommandError(f"import {error}{why}") from error
        progress.close()
        if verbosity >= 1:
            prefix = "Dry run, nothing written. " if options["dry_run"] else ""
            self.stdout.write(prefix + result.summary())
        if options["mirror_images"] and not options["dry_run"] and result.run is not None:
            self.verbosity = verbosity
            written = Article.objects.filter(imported_at__gte=result.run.started_at)
            mirror_run(self, written, jobs=options["jobs"] * 4)
        if result.counts["failed"]:
            raise CommandError(f"{result.counts['failed']} file(s) failed to import")
        if not result.total:
            raise CommandError("no post files found under " + ", ".join(options["paths"]))
