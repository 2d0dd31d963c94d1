from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import search
from .models import Article, ArticleImage, Author, Category, Editor, ImportRun, RawSource, Source
from .search_views import RankedChangeList

admin.site.site_header = _("新闻档案管理")
admin.site.site_title = _("新闻档案")
admin.site.index_title = _("内容管理")


class ArticleCountAdmin(admin.ModelAdmin):
    """Author, Editor, Source: the count comes from one annotated query, not one per row."""

    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_article_counts()

    @admin.display(description=_("文章数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


admin.site.register(Author, ArticleCountAdmin)
admin.site.register(Editor, ArticleCountAdmin)
admin.site.register(Source, ArticleCountAdmin)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "slug", "article_count"]
    search_fields = ["name", "path"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "slug_path", "depth"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["path"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_article_counts()

    @admin.display(description=_("分类"), ordering="path")
    def indented_name(self, obj):
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            obj.depth * 1.5,
            "└ " if obj.depth else "",
            obj.name,
        )

    @admin.display(description=_("文章数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    extra = 0
    fields = ["position", "src", "alt", "caption"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at", "author", "editor", "category_list", "status"]
    list_filter = ["status", "published_at", "categories", "author", "editor", "source"]
    list_select_related = ["author", "editor"]
    date_hierarchy = "published_at"
    search_fields = ["title", "original_title"]
    autocomplete_fields = ["author", "editor", "source", "categories"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["source_path", "content_hash", "imported_at", "edited_at"]
    inlines = [ArticleImageInline]
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "original_title", "status", "published_at"]}),
        (_("署名与来源"), {"fields": ["author", "editor", "source"]}),
        (_("分类与标签"), {"fields": ["categories", "tags"]}),
        (_("正文"), {"fields": ["body_html", "excerpt", "lead_image_url", "thumbnail_url"]}),
        (
            _("发布设置"),
            {"fields": ["comments_enabled", "publish_start", "publish_end", "updated_at"]},
        ),
        (
            _("导入信息"),
            {
                "classes": ["collapse"],
                "fields": ["source_path", "content_hash", "imported_at", "edited_at", "extra"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    def get_search_results(self, request, queryset, search_term):
        # The full-text index instead of search_fields' LIKE scans, which neither split Chinese
        # nor rank nor scale. Staff see drafts too. search_fields stays: it shows the box.
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term, include_unpublished=True), False

    def get_changelist(self, request, **kwargs):
        return RankedChangeList  # best match first while searching

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the many-to-many save, so the index sees the new categories and tags.
        search.update_index([form.instance.pk])

    def save_model(self, request, obj, form, change):
        # An imported article changed here is an editor's version: re-imports keep it.
        if change and obj.source_path and form.has_changed():
            obj.edited_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("分类"))
    def category_list(self, obj):
        return "、".join(category.name for category in obj.categories.all())

    def _set_status(self, request, queryset, status):
        count = queryset.update(status=status)
        self.message_user(
            request,
            ngettext("%(count)d 篇文章已更新。", "%(count)d 篇文章已更新。", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("发布所选文章"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description=_("撤回所选文章（设为草稿）"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT)


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    list_display = ["article", "position", "src", "caption"]
    search_fields = ["article__title", "caption"]
    autocomplete_fields = ["article"]
    list_select_related = ["article"]


@admin.register(RawSource)
class RawSourceAdmin(admin.ModelAdmin):
    list_display = ["article"]
    search_fields = ["article__title", "article__source_path"]
    readonly_fields = ["article", "text"]
    list_select_related = ["article"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "command",
        "started_at",
        "finished_at",
        "dry_run",
        "created",
        "updated",
        "unchanged",
        "kept",
        "failed",
    ]
    list_filter = ["command", "dry_run"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False
