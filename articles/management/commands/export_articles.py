from pathlib import Path, PurePosixPath

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.importing.exporting import ExportedPost, render_post
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Write every article back as a front-matter post file under OUT_DIR, at its import "
        "path (or YEAR/SLUG.md). Importing OUT_DIR into an empty database gives the same "
        "articles."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", type=Path)

    def handle(self, *args, out_dir, **options):
        articles = Article.objects.select_related("author", "editor", "source").prefetch_related(
            "categories", "tags", "old_addresses"
        )
        out_dir = out_dir.resolve()
        count = 0
        for article in articles.iterator(chunk_size=500):
            target = out_dir / self.relative_path(article)
            if out_dir not in target.resolve().parents:
                raise CommandError(f"article {article.pk}: path {target} leaves {out_dir}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_post(self.as_post(article)), encoding="utf-8")
            count += 1
        if options["verbosity"] >= 1:
            self.stdout.write(f"{count} articles written to {out_dir}")

    @staticmethod
    def relative_path(article):
        if article.source_path:
            return PurePosixPath(article.source_path)
        local = timezone.localtime(article.published_at)
        return PurePosixPath(f"{local:%Y}", f"{article.slug}.md")

    @staticmethod
    def as_post(article):
        categories = list(article.categories.all())
        # Only leaves become hierarchies: the article is filed under every level anyway.
        parents = {c.parent_id for c in categories}
        leaves = [c for c in categories if c.pk not in parents]
        return ExportedPost(
            title=article.title,
            slug=article.slug,
            published_at=article.published_at,
            updated_at=article.updated_at,
            body_html=article.body_html,
            categories=[c.path.split(c.PATH_SEPARATOR) for c in leaves],
            tags=sorted(tag.name for tag in article.tags.all()),
            author=article.author.name if article.author else "",
            editor=article.editor.name if article.editor else "",
            source=article.source.name if article.source else "",
            original_title=article.original_title,
            excerpt=article.excerpt,
            lead_image_url=article.lead_image_url,
            thumbnail_url=article.thumbnail_url,
            comments_enabled=article.comments_enabled,
            published=article.status == Article.Status.PUBLISHED,
            extra=article.extra,
            old_addresses=sorted(address.path for address in article.old_addresses.all()),
        )
