import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles import search
from articles.models import Article


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every article from scratch."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=search.BATCH_SIZE,
            help="Articles read and indexed per transaction (default %(default)s).",
        )

    def handle(self, *args, batch_size, verbosity, **options):
        started = time.monotonic()
        # Write to the wrapped stream, not the OutputWrapper: it would end every "\r" redraw
        # of the bar with a newline. stdout=... given to call_command is still honoured.
        with tqdm(
            total=Article.objects.count(),
            unit=" articles",
            file=self.stdout._out,
            disable=verbosity < 1,
        ) as bar:
            count = search.rebuild_index(batch_size=batch_size, progress=bar.update)
        self.stdout.write(f"Indexed {count} articles in {time.monotonic() - started:.1f}s.")
