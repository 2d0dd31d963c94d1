"""The archive's content model: articles and the people, outlets and categories around them."""

from itertools import zip_longest

import reversion
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Concat, Left, StrIndex, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from .cache_version import ContentVersion  # noqa: F401 (registers the model)
from .content import clean_line, derive


def unicode_slug(text, fallback="item"):
    """A readable slug that keeps Chinese characters (Django's slugify drops them by default)."""
    return slugify(text, allow_unicode=True)[:200] or fallback


class NamedQuerySet(models.QuerySet):
    def with_article_counts(self):
        # One aggregate query for the whole page instead of a COUNT per row.
        return self.annotate(article_count=models.Count("articles", distinct=True))

    def public(self):
        """Those named on at least one public article.

        Readers must not learn of a name that only drafts or future articles carry: its
        page, feeds, sitemap entry and search filter would announce unpublished news.
        """
        field = self.model._meta.model_name  # Article.author, .editor, .source
        return self.filter(Exists(Article.objects.published().filter(**{field: OuterRef("pk")})))


class NamedModel(models.Model):
    """Author, Editor and Source: a unique name with a unicode slug for its page."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    slug = models.SlugField(_("别名"), max_length=200, unique=True, allow_unicode=True)

    objects = NamedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean_line(self.name)  # names reach feeds, which XML control characters break
        super().save(*args, **kwargs)


class Author(NamedModel):
    """A byline or publisher, such as 新浪财经."""

    class Meta(NamedModel.Meta):
        verbose_name = _("作者")
        verbose_name_plural = _("作者")

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class Editor(NamedModel):
    """The person named by 责任编辑, such as 王珊珊."""

    class Meta(NamedModel.Meta):
        verbose_name = _("责任编辑")
        verbose_name_plural = _("责任编辑")

    def get_absolute_url(self):
        return reverse("articles:editor", kwargs={"slug": self.slug})


class Source(NamedModel):
    """The outlet an article came from (来源), such as 吉林日报."""

    class Meta(NamedModel.Meta):
        verbose_name = _("来源")
        verbose_name_plural = _("来源")

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})


def category_prefixes(slug_path):
    """The slug_path of each level of a category path, the root first."""
    parts = slug_path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


class CategoryQuerySet(NamedQuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)

    def descendants_of(self, category, include_self=True):
        below = self.filter(slug_path__startswith=category.slug_path + "/")
        return below | self.filter(pk=category.pk) if include_self else below

    def public(self):
        """Categories with a public article in them or in a category below them.

        Two EXISTS, the direct one first: the importer and the curation actions file an
        article at every level of its chain, so the indexed lookup almost always answers
        and the prefix scan runs only for categories an editor filed below.
        """
        published = Article.objects.published()
        below = Concat(OuterRef("slug_path"), Value("/"))
        return self.filter(
            Exists(published.filter(categories=OuterRef("pk")))
            | Exists(published.filter(categories__slug_path__startswith=below))
        )

    def public_counts(self, parent=None):
        """{slug_path: n} for the roots (or `parent`'s children) that have public articles,
        n counting each public article of the category or below it once.

        One GROUP BY over the links of public articles, keyed by each link's category
        path cut to the wanted level, so the query is as wide for 5 categories as for
        5,000 (a column per category broke past SQLite's 2,000 and PostgreSQL's 1,664).
        """
        links = Article.categories.through.objects.filter(
            article_id__in=Article.objects.published().values("pk")
        )
        path, prefix = F("category__slug_path"), ""
        if parent is not None:
            prefix = parent.slug_path + "/"
            links = links.filter(category__slug_path__startswith=prefix)
            path = Substr(path, len(prefix) + 1)
        rows = (
            links.annotate(cut=StrIndex(path, Value("/")))
            .annotate(key=Case(When(cut__gt=0, then=Left(path, F("cut") - 1)), default=path))
            .values("key")
            .annotate(n=Count("article_id", distinct=True))
            .order_by()
        )
        return {prefix + row["key"]: row["n"] for row in rows}


class Category(models.Model):
    """A node of Hexo's category tree. Identity is (name, parent), as in Hexo.

    `path` (names) and `slug_path` (URL) are stored so a category's ancestry and its
    descendants are one indexed query, never a walk up the tree.
    """

    PATH_SEPARATOR = " / "

    name = models.CharField(_("名称"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        related_name="children",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    slug = models.SlugField(_("别名"), max_length=200, allow_unicode=True)
    slug_path = models.CharField(_("URL 路径"), max_length=1000, unique=True, editable=False)
    path = models.CharField(_("完整路径"), max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("分类")
        verbose_name_plural = _("分类")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_in_parent"),
            # NULL parents never collide in SQL, so roots need their own rule.
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="category_unique_root"
            ),
        ]

    def __str__(self):
        return self.path

    def save(self, *args, **kwargs):
        self.name = clean_line(self.name)
        self.slug = self.slug or unicode_slug(self.name, fallback="category")
        self.refresh_path()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"path": self.slug_path})

    def clean(self):
        # A category under itself would make its path endless and hide its subtree.
        stored = Category.objects.filter(pk=self.pk).first() if self.pk else None
        if stored and self.parent and (
            self.parent.pk == self.pk or self.parent.slug_path.startswith(stored.slug_path + "/")
        ):
            raise ValidationError({"parent": _("上级分类不能是它自己或它的下级分类。")})

    def refresh_path(self):
        if self.parent_id:
            parent = self.parent
            self.path = parent.path + self.PATH_SEPARATOR + self.name
            self.slug_path = parent.slug_path + "/" + self.slug
            self.depth = parent.depth + 1
        else:
            self.path, self.slug_path, self.depth = self.name, self.slug, 0

    @staticmethod
    def leaves(categories):
        """The deepest category of each chain among `categories`, in path order.

        Sorted by path segments a category's descendants come right after it, so one
        pass finds the leaves (comparing every pair took seconds for 2,000 categories).
        """
        ordered = sorted(categories, key=lambda category: category.slug_path.split("/"))
        return [
            category
            for category, following in zip_longest(ordered, ordered[1:])
            if following is None
            or not following.slug_path.startswith(category.slug_path + "/")
        ]

    def ancestor_paths(self, include_self=True):
        """The slug_path of every level above (and with include_self, of this one)."""
        levels = category_prefixes(self.slug_path)
        return levels if include_self else levels[:-1]

    def ancestors(self, include_self=True):
        """Root first; one query."""
        paths = self.ancestor_paths(include_self)
        return list(Category.objects.filter(slug_path__in=paths).order_by("depth"))


class FiledUnder(Exists):
    """WHERE condition: the article is filed in `category` or in a category below it.

    Checked for each row through the link table's (article, category) index, where a
    subquery listing the whole category would be built first. The search reads
    `category_id` to narrow its index scan to the category's entries (articles/search/)."""

    def __init__(self, category, **kwargs):
        links = Article.categories.through.objects.filter(
            article_id=OuterRef("pk"),
            category__in=Category.objects.descendants_of(category).values("pk"),
        )
        super().__init__(links, **kwargs)
        self.category_id = category.pk


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What readers may see: published, dated no later than now (the article page
        of a future date is a 404, so lists, feeds and the sitemap must not link to it),
        and inside the publish window if one is set."""
        now = now or timezone.now()
        return self.filter(
            Q(publish_start__isnull=True) | Q(publish_start__lte=now),
            Q(publish_end__isnull=True) | Q(publish_end__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def drafts(self):
        return self.filter(status=Article.Status.DRAFT)

    def public_tags(self):
        """Tags of at least one public article (taggit's Tag has no manager of ours)."""
        return Tag.objects.filter(Exists(self.published().filter(tags=OuterRef("pk"))))

    def from_source_name(self, name):
        """The article imported from the post a blog links to by name: Hexo's post_link
        slug, Jekyll's post_url date-name or link path, Hugo's ref path; a page bundle is
        named by its folder. The same name in two folders: the newest article."""
        name = name.strip("/")
        stem = name.rsplit("/", 1)[-1]
        for suffix in (".md", ".markdown", ".html"):
            stem = stem.removesuffix(suffix)
        files = [f"{stem}{suffix}" for suffix in (".md", ".markdown")]
        files += [f"{stem}/index.md", f"{stem}/index.markdown"]
        match = Q()
        for file_name in files:
            match |= Q(source_path=file_name) | Q(source_path__endswith=f"/{file_name}")
        return self.filter(match).order_by("-published_at")

    def for_listing(self):
        """Everything a list row shows, in a fixed number of queries whatever the page size.

        Rows show no tags: prefetching them cost a query and, through taggit's manager,
        about half a millisecond per row.
        """
        return (
            self.select_related("author", "editor", "source")
            .prefetch_related("categories")
            .defer("body_html", "extra")
        )

    def matching(self, **lookups):
        """The articles matching `lookups` (author=..., tags=...), as a pk subquery.

        Same rows as filter(**lookups), but SQLite then counts and pages a public list
        through the covering index instead of reading every matching article row to check
        its status: counting a 7,800-article author went from 95 to 5 ms.
        """
        return self.filter(pk__in=Article.objects.filter(**lookups).values("pk"))

    def in_category(self, category):
        """Articles of the category or of any category below it.

        A subquery on the link table alone: no join back to the articles and no DISTINCT,
        which cost 230 ms a page on a 7,800-article category (migration 0003 indexes it).
        """
        links = Article.categories.through.objects.filter(
            category__in=Category.objects.descendants_of(category).values("pk")
        )
        return self.filter(pk__in=links.values("article_id"))

    def search(self, q, include_unpublished=False, order="newest"):
        """Every article matching `q`, newest first or best match first ("best"); readers
        see published articles only. See articles/search/."""
        from . import search  # deferred: articles.search imports this module

        return search.search(self, q, include_unpublished=include_unpublished, order=order)

    def edit(self, change=None, **options):
        """One editorial change to these articles: see articles.editing.edit."""
        from . import editing  # deferred: articles.editing imports this module

        return editing.edit(self, change, **options)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("标题"), max_length=500)
    slug = models.SlugField(_("别名"), max_length=255, unique=True, allow_unicode=True)
    original_title = models.CharField(_("原标题"), max_length=500, blank=True)
    source = models.ForeignKey(
        Source,
        verbose_name=_("来源"),
        related_name="articles",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("作者"),
        related_name="articles",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    editor = models.ForeignKey(
        Editor,
        verbose_name=_("责任编辑"),
        related_name="articles",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("分类"), related_name="articles", blank=True
    )
    tags = TaggableManager(verbose_name=_("标签"), blank=True)
    # The tag links, so a revision can carry them and restoring it brings the tags back.
    tagged_items = GenericRelation(TaggedItem)

    body_html = models.TextField(_("正文 HTML"), blank=True, help_text=_("保存时会经过净化。"))
    body_text = models.TextField(_("正文纯文本"), blank=True, editable=False)
    excerpt = models.TextField(_("摘要"), blank=True)
    lead_image_url = models.CharField(
        _("头图"), max_length=1000, blank=True, help_text=_("图片地址，可以是相对路径。")
    )
    thumbnail_url = models.CharField(_("缩略图"), max_length=1000, blank=True)

    published_at = models.DateTimeField(_("发布时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), null=True, blank=True)
    comments_enabled = models.BooleanField(_("允许评论"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    publish_start = models.DateTimeField(
        _("上线时间"), null=True, blank=True, help_text=_("留空则立即可见。")
    )
    publish_end = models.DateTimeField(
        _("下线时间"), null=True, blank=True, help_text=_("留空则一直可见。")
    )

    source_path = models.CharField(
        _("导入路径"),
        max_length=1000,
        unique=True,
        null=True,
        blank=True,
        help_text=_("相对于导入目录的文件路径，是重新导入时的身份。"),
    )
    source_root = models.CharField(
        _("导入目录"),
        max_length=1000,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("导入时目录的真实路径；用来发现已被删除的源文件。"),
    )
    content_hash = models.CharField(_("内容哈希"), max_length=64, blank=True)
    # The file's size and mtime when it was last read: a re-run skips reading and hashing a
    # file whose stat() still matches, as rsync and git do (import_articles --checksum won't).
    source_size = models.BigIntegerField(_("文件大小"), null=True, blank=True, editable=False)
    source_mtime_ns = models.BigIntegerField(
        _("文件修改时间（纳秒）"), null=True, blank=True, editable=False
    )
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    edited_at = models.DateTimeField(
        _("编辑修改时间"),
        null=True,
        blank=True,
        help_text=_("编辑在后台修改后设置；重新导入不会覆盖，除非使用 --force。"),
    )
    extra = models.JSONField(
        _("其他元数据"), default=dict, blank=True, help_text=_("Front matter 中未识别的键。")
    )

    objects = ArticleQuerySet.as_manager()

    # What refresh_derived() writes: articles.content.derive's fields.
    DERIVED_FIELDS = ("title", "original_title", "body_html", "body_text", "excerpt")

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        indexes = [
            # Every public list filters on status and the publish window and orders by
            # (published_at, id): with all five columns in the index, SQLite and PostgreSQL
            # count a list and find a page (or an article's neighbours) without reading the
            # article rows, which carry the bodies. A 10,000-article COUNT went from 44 to 2 ms.
            models.Index(
                fields=["status", "published_at", "id", "publish_start", "publish_end"],
                name="article_public_listing",
            ),
            # The search checks each match it reads from the full-text index against the
            # reader's filters by id: with these columns in an index that starts with the id,
            # SQLite need not read the article row, bodies and all (articles/search/scan.py).
            models.Index(
                fields=[
                    "id", "status", "published_at", "publish_start", "publish_end", "author",
                    "source",
                ],
                name="article_search_check",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.refresh_derived()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at)
        return reverse(
            "articles:detail",
            kwargs={"year": local.year, "month": local.month, "day": local.day, "slug": self.slug},
        )

    def refresh_derived(self):
        """Sanitize the body and derive its text fields exactly as the importer does.

        Runs on every save, so whatever an editor or a rich-text widget sends, the stored
        body is sanitized. Returns whether any stored value changed.
        """
        before = [getattr(self, name) for name in self.DERIVED_FIELDS]
        fields = derive(
            title=self.title,
            body_html=self.body_html,
            excerpt=self.excerpt,
            original_title=self.original_title,
        )
        for name in self.DERIVED_FIELDS:
            setattr(self, name, getattr(fields, name))
        return before != [getattr(self, name) for name in self.DERIVED_FIELDS]

    def edit(self, change=None, **options):
        """One editorial change to this article: see articles.editing.edit."""
        from . import editing

        return editing.edit([self], change, **options)

    @staticmethod
    def can_preview(user):
        """Who may see drafts and unpublished dates: staff allowed to view or change articles."""
        return user.is_active and user.is_staff and (
            user.has_perm("articles.view_article") or user.has_perm("articles.change_article")
        )

    @property
    def is_public(self):
        return Article.objects.published().filter(pk=self.pk).exists()

    @property
    def char_count(self):
        """Chinese text is measured in characters, not words."""
        return len("".join(self.body_text.split()))


class RawSource(models.Model):
    """The file text an article was imported from, so it can be re-processed without the files."""

    article = models.OneToOneField(
        Article, primary_key=True, related_name="raw", on_delete=models.CASCADE
    )
    text = models.TextField(_("原始文件"))
    # The engine, site settings and file time it was read with (FileContext.as_dict()), so
    # reprocessing reads it the same way without the site's files.
    context = models.JSONField(_("导入上下文"), default=dict, blank=True)

    class Meta:
        verbose_name = _("原始文件")
        verbose_name_plural = _("原始文件")

    def __str__(self):
        return self.article.source_path or str(self.article)


class OldAddressQuerySet(models.QuerySet):
    def target_for(self, path):
        """The article an old address of its original site leads to, or None.

        Both spellings of a trailing slash are tried: Hexo and Hugo link '/a/b/', Jekyll
        '/a/b.html', and old links in the wild drop or add the slash.
        """
        candidates = {path, path.rstrip("/") or "/", path.rstrip("/") + "/"}
        found = self.filter(path__in=candidates).select_related("article").first()
        return found.article if found else None


class OldAddress(models.Model):
    """An address the article had on the site it was imported from; requests for it are
    answered with a permanent redirect to the article, so old links keep working."""

    path = models.CharField(
        _("旧地址"),
        max_length=1000,
        unique=True,
        help_text=_("原站点上的路径，例如 /2014/12/12/hello/；访问它会 301 跳转到文章。"),
    )
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), related_name="old_addresses", on_delete=models.CASCADE
    )

    objects = OldAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("旧地址")
        verbose_name_plural = _("旧地址")
        ordering = ["path"]

    def __str__(self):
        return self.path


class ArticleImage(models.Model):
    """An image of the body, in reading order, with its photo credit."""

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), related_name="images", on_delete=models.CASCADE
    )
    position = models.PositiveIntegerField(_("位置"))
    src = models.CharField(_("地址"), max_length=1000)
    alt = models.CharField(_("替代文本"), max_length=500, blank=True)
    caption = models.CharField(_("图片说明"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("图片")
        verbose_name_plural = _("图片")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="image_unique_position")
        ]

    def __str__(self):
        return self.caption or self.src

    def save(self, *args, **kwargs):
        self.alt, self.caption = clean_line(self.alt), clean_line(self.caption)
        super().save(*args, **kwargs)


# A revision of an article holds its images and tag links too (its categories are in its
# own row's data), so restoring it after a forced re-import brings all of them back.
reversion.register(ArticleImage)
reversion.register(TaggedItem)
reversion.register(Article, follow=["images", "tagged_items"])


class ImportRun(models.Model):
    """One run of import_articles / reprocess_articles, kept so editors can see it in the admin."""

    command = models.CharField(_("命令"), max_length=50)
    arguments = models.TextField(_("参数"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    dry_run = models.BooleanField(_("试运行"), default=False)
    created = models.PositiveIntegerField(_("新建"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    kept = models.PositiveIntegerField(_("保留编辑"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(
        _("警告"),
        default=list,
        blank=True,
        help_text=_("导入时去掉或推断的内容，每个文件一行"),
    )
    vanished = models.PositiveIntegerField(
        _("源文件已删除"), default=0, help_text=_("上次导入后源文件已不存在的文章")
    )
    aborted = models.TextField(
        _("中止原因"), blank=True, help_text=_("运行在最后一个文件之前停下的原因")
    )

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.command} {self.started_at:%Y-%m-%d %H:%M}"


from .mirroring.models import MirroredImage  # noqa: E402, F401  (a model of this app)
