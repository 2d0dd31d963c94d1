"""Backups that restore: the whole database with the engine's own tool, plus the media files.

SQLite is copied with its online backup API (consistent while the site serves and imports),
PostgreSQL with pg_dump's custom format. Both keep every table: articles with their raw source
text, revisions, redirects, import runs, the search index. Media files (mirrored images) are
copied beside it, and a manifest lists every file with its SHA-256 so a restore can prove it
put back what was taken.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
MEDIA_DIR = "media"


class BackupError(Exception):
    pass


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_hashes(root):
    root = Path(root)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _postgres_command(program, *args):
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = [
        program,
        "--host",
        str(db.get("HOST") or "localhost"),
        "--port",
        str(db.get("PORT") or 5432),
        "--username",
        str(db.get("USER") or "postgres"),
        "--dbname",
        db["NAME"],
        *args,
    ]
    if shutil.which(program) is None:
        raise BackupError(f"{program} not found: install Debian's postgresql-client")
    # A fixed program with arguments taken from our own settings, never from a request.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()}")


def _article_count():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM articles_article")
        return cursor.fetchone()[0]


def backup_archive(out_dir):
    """Write a backup into `out_dir` (which must not exist yet). Returns the manifest."""
    out = Path(out_dir)
    if out.exists():
        raise BackupError(f"{out} exists already: a backup never overwrites one")
    out.mkdir(parents=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out / SQLITE_FILE)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        database_file = SQLITE_FILE
    elif vendor == "postgresql":
        _postgres_command(
            "pg_dump", "--format=custom", "--no-owner", "--file", str(out / POSTGRES_FILE)
        )
        database_file = POSTGRES_FILE
    else:
        raise BackupError(f"no backup method for the {vendor} database")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.copytree(media_root, out / MEDIA_DIR)
    manifest = {
        "format": FORMAT,
        "vendor": vendor,
        "created_at": timezone.now().isoformat(),
        "articles": _article_count(),
        "database": {database_file: sha256_of(out / database_file)},
        "media": tree_hashes(out / MEDIA_DIR),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def _read_manifest(backup_dir):
    path = Path(backup_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{path}: not a backup manifest ({error})") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r} is not {FORMAT}")
    for name, digest in {**manifest["database"]}.items():
        if sha256_of(Path(backup_dir) / name) != digest:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def _database_is_empty():
    return "articles_article" not in connection.introspection.table_names()


def restore_archive(backup_dir):
    """Restore a backup into an empty database and media folder. Returns the manifest."""
    backup = Path(backup_dir)
    manifest = _read_manifest(backup)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest['vendor']} database; this site uses {connection.vendor}"
        )
    if not _database_is_empty():
        raise BackupError("the database is not empty: restore into a new, empty database")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore into an empty media folder")
    if manifest["vendor"] == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(backup / SQLITE_FILE)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        _postgres_command(
            "pg_restore", "--no-owner", "--exit-on-error", str(backup / POSTGRES_FILE)
        )
    if (backup / MEDIA_DIR).is_dir():
        shutil.copytree(backup / MEDIA_DIR, media_root, dirs_exist_ok=True)
    restored = tree_hashes(media_root)
    if restored != manifest["media"]:
        raise BackupError("the restored media files differ from the backup's manifest")
    if _article_count() != manifest["articles"]:
        raise BackupError("the restored database does not hold the backup's articles")
    return manifest
