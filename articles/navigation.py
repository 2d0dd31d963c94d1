"""What an article page shows around the article: its categories and tags, its previous and
next public articles and its related ones.

Every article page asks for them, and each lookup is an index seek the database answers in
a fraction of a millisecond; building the queries cost ten times that, so they are prepared
once per process (articles.prepared) and run with the article's values.
"""

from collections import Counter

from django.db.models import Q
from django.utils import timezone
from taggit.models import TaggedItem

from .models import Article, Category
from .page_cache import cached
from .prepared import Prepared

SUMMARY_FIELDS = ("title", "slug", "published_at", "thumbnail_url", "lead_image_url")
RELATED_COUNT = 5
RELATED_CANDIDATES = 100  # tag matches read per direction in time, see related_articles()
# Each direction in time: the bound on published_at and the order that reads nearest first.
EARLIER = (lambda at: Q(published_at__lte=at), "-published_at")
LATER = (lambda at: Q(published_at__gt=at), "published_at")


# The same rows and order as article.categories.all() and article.tags.all().
CATEGORIES = Prepared(lambda pk: Category.objects.filter(articles=pk))
TAG_LINK = TaggedItem.tag.field.related_query_name()
TAGS = Prepared(lambda pk: TaggedItem.tags_for(Article, Article(pk=pk)).order_by(f"{TAG_LINK}__pk"))


def categories_and_tags(article):
    return CATEGORIES.objects(article.pk), TAGS.objects(article.pk)


def public_where(now, *conditions):
    """Public articles meeting `conditions`, with only what a link to them needs.

    The conditions go first on purpose: given two upper bounds on published_at (the
    article's own and published()'s "not after now"), SQLite seeks with the first one, and
    "now" made it walk the index from today back to the article: 7 ms for an old one.
    """
    return Article.objects.filter(*conditions).published(now).only(*SUMMARY_FIELDS)


def _previous(now, at, pk):
    # The plain bound (lte/gte) is what lets the database seek in the index: with only
    # "earlier OR same time and lower id", SQLite walked the index from the far end.
    older = Q(published_at__lte=at) & (Q(published_at__lt=at) | Q(pk__lt=pk))
    return public_where(now, older).order_by("-published_at", "-pk")[:1]


def _next(now, at, pk):
    newer = Q(published_at__gte=at) & (Q(published_at__gt=at) | Q(pk__gt=pk))
    return public_where(now, newer).order_by("published_at", "pk")[:1]


def _sharing_tags(direction):
    bound, order = direction

    def build(now, at, pk, tags):
        sharing = Q(tags__in=tags) & ~Q(pk=pk)
        rows = public_where(now, bound(at), sharing).order_by(order)
        return rows.values_list("pk", "published_at")[:RELATED_CANDIDATES]

    return Prepared(build)


def _in_leaves(direction):
    bound, order = direction

    def build(now, at, leaves, excluded):
        rows = public_where(now, bound(at), Q(categories__in=leaves)).exclude(pk__in=excluded)
        return rows.order_by(order).distinct()[:RELATED_COUNT]

    return Prepared(build)


PREVIOUS, NEXT = Prepared(_previous), Prepared(_next)
SHARING_TAGS = [_sharing_tags(direction) for direction in (EARLIER, LATER)]
IN_LEAVES = [_in_leaves(direction) for direction in (EARLIER, LATER)]
# The candidates are public already; filtering again made SQLite walk the date index
# instead of fetching five rows by id.
BY_ID = Prepared(lambda pks: Article.objects.filter(pk__in=pks).only(*SUMMARY_FIELDS).order_by())


def related_articles(article, tags, leaves, now):
    """Articles sharing the most tags, then the nearest ones in the same leaf categories.

    Nearest in time rather than newest: in a category of thousands, "newest" would give
    every article the same five neighbours.
    """
    found = []
    at = article.published_at
    if tags:
        # Ranked among the nearest articles sharing a tag, not among all of them: a tag
        # like 疫情 is on thousands of articles, and counting shared tags over all of
        # them took 160 ms a page on 10,000 articles. A candidate comes once per shared
        # tag, so counting its rows counts its shared tags.
        shared, distance = Counter(), {}
        for query in SHARING_TAGS:
            for pk, published_at in query.rows(now, at, article.pk, tags):
                shared[pk] += 1
                distance[pk] = abs(published_at - at)
        best = sorted(shared, key=lambda pk: (-shared[pk], distance[pk]))[:RELATED_COUNT]
        if best:
            found = sorted(BY_ID.objects(best), key=lambda a: best.index(a.pk))
    for query in IN_LEAVES:
        if leaves and len(found) < RELATED_COUNT:
            excluded = [article.pk, *(a.pk for a in found)]
            found += query.objects(now, at, leaves, excluded)[: RELATED_COUNT - len(found)]
    return found


def neighbours(article, tags, leaves):
    """Previous/next public article and related articles, cached until the content changes."""

    def compute():
        now, at = timezone.now(), article.published_at
        previous = PREVIOUS.objects(now, at, article.pk)
        following = NEXT.objects(now, at, article.pk)
        return {
            "previous_article": previous[0] if previous else None,
            "next_article": following[0] if following else None,
            "related_articles": related_articles(article, tags, leaves, now),
        }

    return cached(f"neighbours:{article.pk}", compute)
