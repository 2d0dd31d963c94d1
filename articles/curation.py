"""Curation as plain functions: status, merges and bulk category/tag changes.

The admin actions call these. Each runs in one transaction and changes articles only through
`ArticleQuerySet.edit` (articles.editing), for the articles it actually changes: they are
marked edited (a re-import keeps them), their change time moves, they are re-indexed (the
index carries names, categories and tags) and each gets a revision that restores it.
"""

from django.db import transaction
from taggit.models import Tag

from . import search
from .content import clean_line
from .models import Article, Category


class MergeError(ValueError):
    """A merge that would break the data (a category merged into its own subtree)."""


def set_status(articles, status, *, user=None, comment=""):
    """Publish or take down `articles` (a queryset); returns how many changed.

    A takedown is an edit, so a re-import of a file that still says it is published does
    not bring the article back.
    """

    def change(rows):
        for article in rows:
            article.status = status

    with transaction.atomic():
        changing = Article.objects.filter(pk__in=articles.exclude(status=status).values("pk"))
        return len(changing.edit(change, fields=["status"], user=user, comment=comment))


@transaction.atomic
def merge_named(target, others, *, user=None, comment=""):
    """Merge Authors, Editors or Sources into `target`: their articles move, they are deleted.

    Returns the number of articles moved.
    """
    model = type(target)
    others = [other for other in others if other.pk != target.pk]
    field = {"author": "author", "editor": "editor", "source": "source"}[model._meta.model_name]

    def change(rows):
        for article in rows:
            setattr(article, field, target)

    moved = Article.objects.filter(**{f"{field}__in": others})
    rows = moved.edit(change, fields=[field], user=user, comment=comment)
    model.objects.filter(pk__in=[other.pk for other in others]).delete()
    return len(rows)


@transaction.atomic
def merge_categories(target, others, *, user=None, comment=""):
    """Merge categories into `target`: articles and child categories move under it.

    A child whose name already exists under the target is merged into that one, recursively,
    as the (parent, name) identity demands. Moved subtrees get their path and slug_path
    recomputed. Returns the number of distinct articles re-filed.
    """
    for other in others:
        if other.pk != target.pk and (
            target.slug_path == other.slug_path
            or target.slug_path.startswith(other.slug_path + "/")
        ):
            raise MergeError(f"“{target}” is inside “{other}”: a category cannot absorb itself.")
    others = [other for other in others if other.pk != target.pk]
    # Every article filed anywhere in the merged subtrees: its categories change.
    affected = Article.objects.filter(
        pk__in=Article.categories.through.objects.filter(
            category__in=with_descendants(others)
        ).values("article_id")
    )

    def change(rows):
        for other in others:
            _merge_category(target, other)

    return len(affected.edit(change, user=user, comment=comment))


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
            _merge_category(twin, child)
        else:
            below = _subtree(child)
            child.parent = target
            child.save()
            _repath(child, below)
    other.delete()


def _subtree(category):
    """The categories below `category`, parents first. Read before its path changes: the
    lookup is by slug_path."""
    return list(Category.objects.descendants_of(category, include_self=False).order_by("depth"))


def _repath(category, below):
    """Give each category of `below` (from _subtree) its path under the saved `category`."""
    saved = {category.pk: category}
    for node in below:
        node.parent = saved[node.parent_id]
        node.save()
        saved[node.pk] = node


@transaction.atomic
def save_name(obj):
    """Save an author, editor, source, tag or category edited by hand.

    Names are searchable text of every article that carries them, and the search index
    files an article under each level above its categories: a new name (or a category's new
    slug or parent) re-paths the categories below and re-indexes the articles concerned.
    Their content does not change, so they are not marked edited.
    """
    model = type(obj)
    before = model.objects.filter(pk=obj.pk).first() if obj.pk else None
    below = _subtree(before) if isinstance(before, Category) else []
    obj.save()
    if before is None:
        return 0
    if isinstance(obj, Category):
        if (before.path, before.slug_path) == (obj.path, obj.slug_path):
            return 0
        _repath(obj, below)
        links = Article.categories.through.objects.filter(category__in=[obj, *below])
        articles = links.values_list("article_id", flat=True)
    elif before.name == obj.name:
        return 0
    elif isinstance(obj, Tag):
        articles = Article.objects.filter(tags=obj).values_list("pk", flat=True)
    else:
        field = model._meta.model_name  # author, editor, source
        articles = Article.objects.filter(**{field: obj}).values_list("pk", flat=True)
    return search.update_index(articles)


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
def add_categories(article_ids, categories, *, user=None, comment=""):
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
    gaining = Article.objects.filter(pk__in={row.article_id for row in rows})
    gaining.edit(lambda _: through.objects.bulk_create(rows), user=user, comment=comment)
    return len(rows)


@transaction.atomic
def remove_categories(article_ids, categories, *, user=None, comment=""):
    """Take the articles out of the categories and everything below them; returns rows removed."""
    links = Article.categories.through.objects.filter(
        article_id__in=article_ids, category__in=with_descendants(categories)
    )
    removed = links.count()
    losing = Article.objects.filter(pk__in=links.values("article_id"))
    losing.edit(lambda _: links.delete(), user=user, comment=comment)
    return removed


def tag_names(names):
    """Tag names as stored: one line, XML-safe, no empties (feeds print them)."""
    return [name for name in map(clean_line, names) if name]


@transaction.atomic
def add_tags(articles, names, *, user=None, comment=""):
    """Tag the articles; returns how many gained a tag."""
    names = tag_names(names)
    wanted = {name.lower() for name in names}

    def lacks(article):
        return not wanted <= {name.lower() for name in article.tags.names()}

    gaining = [article for article in articles if lacks(article)]

    def change(rows):
        for article in rows:
            article.tags.add(*names)

    Article.objects.filter(pk__in=[a.pk for a in gaining]).edit(
        change, user=user, comment=comment
    )
    return len(gaining)


@transaction.atomic
def remove_tags(articles, names, *, user=None, comment=""):
    """Untag the articles; returns how many lost a tag."""
    wanted = {name.lower() for name in tag_names(names)}

    def present(article):
        return [tag.name for tag in article.tags.all() if tag.name.lower() in wanted]

    losing = {article.pk: present(article) for article in articles}
    losing = {pk: tags for pk, tags in losing.items() if tags}

    def change(rows):
        for article in rows:
            article.tags.remove(*losing[article.pk])

    Article.objects.filter(pk__in=losing).edit(change, user=user, comment=comment)
    return len(losing)
