from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, backup_archive


class Command(BaseCommand):
    help = "Back up the whole archive (database and media files) into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("out", help="folder to create; must not exist")

    def handle(self, *args, out, **options):
        try:
            manifest = backup_archive(out)
        except BackupError as error:
            raise CommandError(f"backup failed: {error}") from error
        self.stdout.write(
            f"backed up {manifest['articles']} articles ({manifest['vendor']}) and "
            f"{len(manifest['media'])} media files to {out}"
        )
