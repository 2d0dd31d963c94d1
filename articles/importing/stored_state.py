"""Whether re-processing an article would store anything new: reprocess_articles reports an
article whose stored fields already equal what its raw text gives as unchanged, and leaves it
alone (no write, no new search entry, no cache bump)."""

from ..models import Article, Category


def stored_fields(article):
    return {
        "title": article.title,
        "original_title": article.original_title,
        "body_html": article.body_html,
        "body_text": article.body_text,
        "excerpt": article.excerpt,
        "lead_image_url": article.lead_image_url,
        "thumbnail_url": article.thumbnail_url,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "comments_enabled": article.comments_enabled,
        "published": article.status == Article.Status.PUBLISHED,
        "extra": article.extra,
        "author": article.author.name if article.author else "",
        "editor": article.editor.name if article.editor else "",
        "source": article.source.name if article.source else "",
        "categories": {category.path for category in article.categories.all()},
        "tags": {tag.name.lower() for tag in article.tags.all()},
        "images": [(i.src, i.alt, i.caption) for i in article.images.all()],
        "old_urls": {address.path for address in article.old_addresses.all()},
    }


def item_fields(item):
    """What fill() and write_related() would store for the item, in stored_fields' shape."""
    paths = {
        Category.PATH_SEPARATOR.join(chain[: n + 1])
        for chain in item.categories
        for n in range(len(chain))
    }
    return {
        "title": item.title[:500],
        "original_title": item.original_title[:500],
        "body_html": item.body_html,
        "body_text": item.body_text,
        "excerpt": item.excerpt,
        "lead_image_url": item.lead_image_url[:1000],
        "thumbnail_url": item.thumbnail_url[:1000],
        "published_at": item.published_at,
        "updated_at": item.updated_at,
        "comments_enabled": item.comments_enabled,
        "published": item.published,
        "extra": item.extra,
        "author": item.author,
        "editor": item.editor,
        "source": item.source,
        "categories": paths,
        "tags": {tag.lower() for tag in item.tags},
        "images": [(src[:1000], alt[:500], caption[:1000]) for src, alt, caption in item.images],
        "old_urls": set(item.old_urls),
    }


def unchanged(items):
    """rel_paths of the items whose stored article already holds exactly what they give."""
    if not items:
        return set()
    articles = (
        Article.objects.filter(source_path__in=[item.rel_path for item in items])
        .select_related("author", "editor", "source")
        .prefetch_related("categories", "images", "old_addresses", "tags")
    )
    stored = {article.source_path: stored_fields(article) for article in articles}
    return {item.rel_path for item in items if stored.get(item.rel_path) == item_fields(item)}
