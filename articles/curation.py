"""Curation as plain functions: merges and bulk category/tag changes.

The admin actions call these; each runs in one transaction and re-indexes the articles it
touched before committing, because the search index carries names, categories and tags.
"""

from django.db import transaction

from . import cache_version, search
from .models import Article, Category


class MergeError(ValueError):
    """A merge that would break the data (a category merged into its own subtree)."""


@transaction.atomic
def merge_named(target, others):
    """Merge Authors, Editors or Sources into `target`: their articles move, they are deleted.

    Returns the number of articles moved.
    """
    model = type(target)
    others = [other for other in others if other.pk != target.pk]
    field = {"author": "author", "editor": "editor", "source": "source"}[model._meta.model_name]
    moved = Article.objects.filter(**{f"{field}__in": others})
    ids = list(moved.values_list("pk", flat=True))
    moved.update(**{field: target})
    model.objects.filter(pk__in=[other.pk for other in others]).delete()
    search.update_index(ids)
    cache_version.bump()
    return len(ids)


@transaction.atomic
def merge_categories(target, others):
    """Merge categories into `target`: articles and child categories move under it.

    A child whose name already exists under the target is merged into that one, recursively,
    as the (parent, name) identity demands. Moved subtrees get their path and slug_path
    recomputed. Returns the number of distinct articles re-filed.
    """
    touched = set()
    for other in others:
        if other.pk == target.pk:
            continue
        if target.slug_path == other.slug_path or target.slug_path.startswith(
            other.slug_path + "/"
        ):
            raise MergeError(f"“{target}” is inside “{other}”: a category cannot absorb itself.")
        touched |= _merge_category(target, other)
    search.update_index(touched)
    cache_version.bump()
    return len(touched)


def _merge_category(target, other):
    """Re-file `other`'s articles under `target`, move its children, delete it."""
    through = Article.categories.through
    article_ids = set(through.objects.filter(category=other).values_list("article_id", flat=True))
    already = set(
        through.objects.filter(category=target, article_id__in=article_ids).values_list(
            "article_id", flat=True
        )
    )
    through.objects.bulk_create(
        [through(article_id=pk, category=target) for pk in article_ids - already]
    )
    through.objects.filter(category=other).delete()

    for child in list(other.children.all()):
        twin = target.children.filter(name=child.name).first()
        if twin:
            article_ids |= _merge_category(twin, child)
        else:
            # Read the subtree before the child's path changes: the lookup is by slug_path.
            below = list(
                Category.objects.descendants_of(child, include_self=False).order_by("depth")
            )
            child.parent = target
            child.save()
            article_ids |= _articles_of([child, *below])
            # Parents first (ordered by depth), each given its already re-pathed parent.
            saved = {child.pk: child}
            for node in below:
                node.parent = saved[node.parent_id]
                node.save()
                saved[node.pk] = node
    other.delete()
    return article_ids


def _articles_of(categories):
    through = Article.categories.through
    return set(through.objects.filter(category__in=categories).values_list("article_id", flat=True))


def with_ancestors(categories):
    """The categories plus every level above them: articles are filed at each level."""
    paths = {path for category in categories for path in category.ancestor_paths()}
    return list(Category.objects.filter(slug_path__in=paths))


def with_descendants(categories):
    found = Category.objects.none()
    for category in categories:
        found = found | Category.objects.descendants_of(category)
    return list(found.distinct())


@transaction.atomic
def add_categories(article_ids, categories):
    """File the articles under the categories and their ancestors; returns rows added."""
    through = Article.categories.through
    wanted = with_ancestors(categories)
    existing = set(
        through.objects.filter(article_id__in=article_ids, category__in=wanted).values_list(
            "article_id", "category_id"
        )
    )
    rows = [
        through(article_id=pk, category_id=category.pk)
        for pk in article_ids
        for category in wanted
        if (pk, category.pk) not in existing
    ]
    through.objects.bulk_create(rows)
    search.update_index(article_ids)
    cache_version.bump()
    return len(rows)


@transaction.atomic
def remove_categories(article_ids, categories):
    """Take the articles out of the categories and everything below them; returns rows removed."""
    through = Article.categories.through
    removed, _ = through.objects.filter(
        article_id__in=article_ids, category__in=with_descendants(categories)
    ).delete()
    search.update_index(article_ids)
    cache_version.bump()
    return removed


@transaction.atomic
def add_tags(articles, names):
    for article in articles:
        article.tags.add(*names)
    search.update_index([article.pk for article in articles])
    cache_version.bump()


@transaction.atomic
def remove_tags(articles, names):
    for article in articles:
        article.tags.remove(*names)
    search.update_index([article.pk for article in articles])
    cache_version.bump()
