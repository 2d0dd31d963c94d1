"""The one path of every editorial change: admin save, bulk and curation actions, merges,
restoring a revision.

`edit()` applies a change to some articles and, in the same transaction, does what every
change needs: the text fields are derived again (articles.content.derive: sanitized body,
plain text, excerpt, XML-safe strings), the articles are marked edited so a re-import keeps
them (unless --force), their change time moves (edited_at: the article page's ETag and
Last-Modified and the sitemap's lastmod read it), their search entries are rebuilt, and each
article gets a revision of its own (with its categories, tags and images) that the admin's
history can restore. The site's content version is bumped in the same transaction
(articles.cache_version), so every cached page, feed and sitemap follows at once.

A `queryset.update()` on articles skips all of that; nothing editorial may use one.
"""

import reversion
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from . import cache_version, search
from .models import Article

# Writing derived fields back is skipped for articles where deriving changed nothing, so a
# status change or a new tag never rewrites a body; a body is re-derived on every edit anyway.
BULK_BATCH = 200


class NestedBulkEdit(RuntimeError):
    """Several articles edited inside an outer revision block would share one revision, and
    restoring any of them would then restore all of them."""


def edit(articles, change=None, *, fields=(), user=None, comment="", edited=True):
    """Apply `change(articles)` to Article instances (or a queryset of them); returns the
    list of articles edited.

    `change` either sets attributes named in `fields` (written here for every article), or
    writes related rows itself (categories, tags, images), or, with fields=None, saves each
    article whole itself (the admin form, whose fields are the editor's to choose). It runs
    after the articles are marked edited, so a whole save writes the mark too.

    edited=False is for re-cleaning from the stored file: the result is the file's, not an
    editor's, so later imports go on updating it; it still gets a revision.
    """
    articles = list(articles)
    if len(articles) > 1 and reversion.is_active():
        raise NestedBulkEdit("edit() of several articles inside reversion.create_revision()")
    with transaction.atomic():
        now = timezone.now()
        if edited:
            for article in articles:
                article.edited_at = now
        if change:
            change(articles)
        if fields is not None:
            rederived = [article for article in articles if article.refresh_derived()]
            if written := [*fields, *(["edited_at"] if edited else [])]:
                Article.objects.bulk_update(articles, written, batch_size=BULK_BATCH)
            if rederived:
                Article.objects.bulk_update(
                    rederived, Article.DERIVED_FIELDS, batch_size=BULK_BATCH
                )
        ids = [article.pk for article in articles]
        search.update_index(ids)  # after the change: the index carries names, categories, tags
        keep_revisions(articles, user, comment)
        cache_version.bump()
    return articles


def keep_revisions(articles, user, comment):
    """One revision per article, of its state after the change (its images and tag links
    read again from the database)."""
    # What a revision follows and serializes, read for all of them at once instead of three
    # queries per article.
    for article in articles:
        getattr(article, "_prefetched_objects_cache", {}).clear()
    prefetch_related_objects(articles, "images", "tagged_items__tag", "categories")
    for article in articles:
        with reversion.create_revision():
            reversion.add_to_revision(article)
            if user is not None and user.is_authenticated:
                reversion.set_user(user)
            if comment:
                reversion.set_comment(comment)
