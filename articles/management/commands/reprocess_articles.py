from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importing.locking import ImportLocked, import_lock
from articles.importing.runner import reprocess_articles
from articles.importing.stops import ImportAborted
from articles.strings import printable


class Command(BaseCommand):
    help = (
        "Re-run parsing, cleaning and sanitizing over the raw text stored with each imported "
        "article (after the cleaning rules improve), without the original files. Articles "
        "edited in the admin are kept unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="article ids (default: all)")
        parser.add_argument("--jobs", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="also overwrite articles edited in the admin"
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--timezone", default=settings.NEWSARCHIVE_IMPORT_TIMEZONE)
        parser.add_argument(
            "--wait",
            action="store_true",
            help="if an import is running, wait for it to finish instead of refusing",
        )

    def handle(self, *args, **options):
        def report(outcome):
            if outcome.action == "failed":
                self.stderr.write(f"failed: {outcome.error}")
            elif options["verbosity"] >= 2:
                self.stdout.write(f"{outcome.action}: {printable(outcome.rel_path)}")

        # A dry run writes nothing: it neither waits for a real run nor blocks one.
        lock = nullcontext()
        if not options["dry_run"]:
            lock = import_lock("reprocess_articles", wait=options["wait"], notify=self.stderr.write)
        try:
            with lock:
                result = reprocess_articles(
                    options["ids"] or None,
                    zone_name=options["timezone"],
                    jobs=options["jobs"],
                    force=options["force"],
                    dry_run=options["dry_run"],
                    report=report,
                )
        except ImportLocked as error:
            raise CommandError(
                f"{error}; try again when it has finished, or pass --wait"
            ) from error
        except ImportAborted as error:  # the database refused to write or went away
            raise CommandError(f"re-processing {error}") from error
        if options["verbosity"] >= 1:
            self.stdout.write(result.summary())
        if result.counts["failed"]:
            raise CommandError(f"{result.counts['failed']} article(s) failed to re-process")
