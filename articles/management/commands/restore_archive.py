from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, restore_archive


class Command(BaseCommand):
    help = "Restore a backup_archive folder into an empty database and media folder."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="a folder written by backup_archive")

    def handle(self, *args, backup, **options):
        try:
            manifest = restore_archive(backup)
        except BackupError as error:
            raise CommandError(f"restore failed: {error}") from error
        self.stdout.write(
            f"restored {manifest['articles']} articles and {len(manifest['media'])} media "
            f"files from {backup}"
        )
