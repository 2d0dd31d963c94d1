import difflib
from contextlib import contextmanager

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from js_asset import Media as AssetMedia
from reversion.admin import VersionAdmin
from reversion.models import Version
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from . import admin_actions, admin_images, cache_version, curation
from .content import html_to_text
from .forms import ArticleAdminForm, ArticleImageForm
from .mirroring.display import localize, pictures_of
from .models import (
    Article,
    ArticleImage,
    Author,
    Category,
    Editor,
    ImportRun,
    OldAddress,
    RawSource,
    Source,
    unicode_slug,
)
from .search_views import RankedChangeList
from .views import breadcrumbs

admin.site.site_header = _("新闻档案管理")
admin.site.site_title = _("新闻档案")
admin.site.index_title = _("内容管理")


class ChangesContent:
    """Saving or deleting here changes what readers see: the caches keyed on the content
    version follow at once. The admin's add, change and delete views are atomic, so the bump
    commits with the change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cache_version.bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        cache_version.bump()

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            cache_version.bump()


class SavesNames(ChangesContent):
    """A renamed author, source, tag or category (or a category moved) re-paths and
    re-indexes what carries it (curation.save_name)."""

    def save_model(self, request, obj, form, change):
        curation.save_name(obj)
        cache_version.bump()


class MergesArticles:
    """Who may merge: a merge changes and deletes rows here and re-files articles, so it needs
    all three permissions. (An action's own `permissions` list is any-of, not all-of.)"""

    def has_merge_permission(self, request):
        return (
            self.has_change_permission(request)
            and self.has_delete_permission(request)
            and request.user.has_perm("articles.change_article")
        )


class ArticleCountAdmin(SavesNames, MergesArticles, admin.ModelAdmin):
    """Author, Editor, Source: the count comes from one annotated query, not one per row."""

    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = [admin_actions.merge]

    def get_queryset(self, request):
        return super().get_queryset(request).with_article_counts()

    @admin.display(description=_("文章数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


admin.site.register(Author, ArticleCountAdmin)
admin.site.register(Editor, ArticleCountAdmin)
admin.site.register(Source, ArticleCountAdmin)


@admin.register(Category)
class CategoryAdmin(SavesNames, MergesArticles, admin.ModelAdmin):
    list_display = ["indented_name", "slug", "article_count"]
    search_fields = ["name", "path"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "slug_path", "depth"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["path"]
    actions = [admin_actions.merge]

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
    form = ArticleImageForm
    extra = 0
    fields = ["position", "src", "alt", "caption"]


@admin.register(Article)
class ArticleAdmin(ChangesContent, VersionAdmin):
    """Articles: rich-text body, preview of unsaved changes, revisions with compare, curation.

    Saving the form, every action and restoring a revision go through articles.editing.edit:
    derived text, the edited mark, the search entry and the revision are committed with the
    change or not at all.
    """

    form = ArticleAdminForm
    list_display = [
        "title",
        "published_at",
        "author",
        "editor",
        "category_list",
        "status",
        "char_count",
    ]
    list_filter = ["status", "published_at", "categories", "author", "editor", "source"]
    list_select_related = ["author", "editor"]
    date_hierarchy = "published_at"
    search_fields = ["title", "original_title"]
    autocomplete_fields = ["author", "editor", "source", "categories"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "char_count",
        "source_path",
        "content_hash",
        "imported_at",
        "edited_at",
        "picture_status",
    ]
    inlines = [ArticleImageInline]
    actions = [
        "publish",
        "unpublish",
        admin_actions.add_categories,
        admin_actions.remove_categories,
        admin_actions.add_tags,
        admin_actions.remove_tags,
        admin_actions.reprocess,
        admin_images.remirror_pictures,
    ]
    list_per_page = 50
    picture_status = staticmethod(admin_images.picture_status)
    object_history_template = "admin/articles/article/object_history.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "original_title", "status", "published_at"]}),
        (_("署名与来源"), {"fields": ["author", "editor", "source"]}),
        (_("分类与标签"), {"fields": ["categories", "tags"]}),
        (
            _("正文"),
            {"fields": ["body_html", "char_count", "excerpt", "lead_image_url", "thumbnail_url"]},
        ),
        (_("图片镜像"), {"fields": ["picture_status"]}),
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

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name=f"{prefix}_preview_new"),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name=f"{prefix}_preview",
            ),
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name=f"{prefix}_compare",
            ),
            *super().get_urls(),
        ]

    def get_search_results(self, request, queryset, search_term):
        # The site's search (every match, best first) instead of search_fields' LIKE scans,
        # which neither fold Chinese nor rank nor scale; bulk actions with "select all" act on
        # every match. Staff see drafts too. search_fields stays: it shows the box.
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term, include_unpublished=True, order="best"), False

    def get_changelist(self, request, **kwargs):
        return RankedChangeList  # best match first while searching

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor loads as ES modules through an inline <script type="importmap">; under
        # the site's CSP (no inline script) it runs only with the request's nonce.
        # (django-csp's lazy nonce is falsy until read, so test for None; reading it here is
        # what puts the nonce into the header.)
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None:
            context["media"] = AssetMedia.from_media(context["media"], nonce=str(nonce))
        response = super().render_change_form(request, context, *args, **kwargs)
        if nonce is not None:
            # django-csp 4 puts the nonce only into directives that name NONCE; add it to
            # script-src for this response alone (no other admin page needs inline script).
            from csp.constants import NONCE

            response._csp_update = {**(getattr(response, "_csp_update", None) or {})}
            response._csp_update["script-src"] = [NONCE]
        return response

    def history_view(self, request, object_id, extra_context=None):
        # reversion's list, plus each version's id for the compare form's radio buttons.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = Version.objects.get_for_object_reference(Article, unquote(object_id))
        action_list = [
            {
                "revision": version.revision,
                "version_id": version.pk,
                "url": reverse(
                    f"{self.admin_site.name}:articles_article_revision",
                    args=[quote(version.object_id), version.pk],
                ),
            }
            for version in versions.select_related("revision", "revision__user")
        ]
        context = {"action_list": action_list, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    @contextmanager
    def create_revision(self, request):
        # Only editing.edit() adds to the revision, once the change is complete. reversion's
        # save signals would add the article and its images as they are mid-save, so an
        # image deleted by the same save would be in the revision and come back on restore.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def changelist_view(self, request, extra_context=None):
        # Without VersionAdmin's revision block: a bulk action keeps one revision per
        # article (editing.edit), and one shared revision would restore them all at once.
        return super(VersionAdmin, self).changelist_view(request, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Restoring posts the old version's own values, so the form sees no change; it is
        # still an editor's decision that a re-import must not undo.
        request.restoring_revision = True
        return super().revision_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        """Nothing yet: save_related saves the row with its categories, tags and images."""

    def save_related(self, request, form, formsets, change):
        save_related = super().save_related
        obj = form.instance

        def save(articles):
            obj.save()  # Article.save derives the text fields
            save_related(request, form, formsets, change)

        changed = (
            not change
            or form.has_changed()
            or any(formset.has_changed() for formset in formsets)
            or getattr(request, "restoring_revision", False)
        )
        if changed:
            obj.edit(save, fields=None, user=request.user, comment=gettext("后台保存"))
        else:
            save([obj])  # nothing changed: no edited mark, no revision

    @admin.display(description=_("分类"))
    def category_list(self, obj):
        return "、".join(category.name for category in obj.categories.all())

    @admin.display(description=_("字数"))
    def char_count(self, obj):
        # Characters, not words: Chinese has no spaces between words.
        return obj.char_count

    def _set_status(self, request, queryset, status, comment):
        count = curation.set_status(queryset, status, user=request.user, comment=comment)
        self.message_user(
            request,
            ngettext("%(count)d 篇文章已更新。", "%(count)d 篇文章已更新。", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("发布所选文章"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED, gettext("批量发布"))

    @admin.action(description=_("撤回所选文章（设为草稿）"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT, gettext("批量撤回"))

    def preview_view(self, request, object_id=None):
        """The public article page rendered from the posted, unsaved form: nothing is stored."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = None
        if object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is None:
                raise Http404
        allowed = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form = self.get_form(request, obj, change=obj is not None)(
            request.POST, request.FILES, instance=obj
        )
        if not form.is_valid():
            context = {**self.admin_site.each_context(request), "form": form, "opts": self.opts}
            return TemplateResponse(
                request, "admin/articles/article/preview_invalid.html", context, status=400
            )
        article = form.save(commit=False)
        article.refresh_derived()  # sanitized exactly as saving would
        response = TemplateResponse(request, "articles/detail.html", preview_context(form))
        # Unsaved text must never sit in a shared cache or a search engine.
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def compare_view(self, request, object_id):
        """Two stored versions side by side: changed fields, and the body text as a diff."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = Version.objects.get_for_object(obj).select_related("revision")
        try:
            older = get_object_or_404(versions, pk=int(request.GET.get("from", "")))
            newer = get_object_or_404(versions, pk=int(request.GET.get("to", "")))
        except ValueError:
            raise Http404 from None
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "title": _("比较版本：%(title)s") % {"title": obj},
            "opts": self.opts,
            "original": obj,
            "older": older,
            "newer": newer,
            "changes": changed_fields(older.field_dict, newer.field_dict),
            "body_diff": body_diff(
                older.field_dict.get("body_html", ""), newer.field_dict.get("body_html", "")
            ),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)


def preview_context(form):
    """What ArticleDetail gives detail.html, built from a bound form instead of the database."""
    article = form.instance
    categories = list(form.cleaned_data.get("categories") or [])
    names = list(form.cleaned_data.get("tags") or [])
    known = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    tags = [known.get(name) or Tag(name=name, slug=unicode_slug(name, "tag")) for name in names]
    pictures = pictures_of([article])
    return {
        "article": article,
        "object": article,
        # As ArticleDetail shows it: mirrored pictures from their local copies.
        "body_html": localize(article.body_html, pictures),
        "lead_picture": pictures.get(article.lead_image_url),
        "breadcrumbs": breadcrumbs(categories),
        "tags": tags,
        "canonical_url": article.get_absolute_url(),
        "summary": article.excerpt,
        "show_lead_image": bool(article.lead_image_url)
        and article.lead_image_url not in article.body_html,
        "is_preview": True,
    }


# Fields a reader of the comparison cares about; derived and bookkeeping fields are left out.
COMPARED_FIELDS = [
    "title",
    "slug",
    "original_title",
    "status",
    "published_at",
    "author",
    "editor",
    "source",
    "categories",
    "excerpt",
    "lead_image_url",
    "thumbnail_url",
    "publish_start",
    "publish_end",
    "comments_enabled",
]


def changed_fields(before, after):
    rows = []
    for name in COMPARED_FIELDS:
        old, new = before.get(name), after.get(name)
        if old != new:
            label = Article._meta.get_field(name).verbose_name
            rows.append({"label": label, "old": old, "new": new})
    return rows


def body_diff(old_html, new_html):
    """The body's plain text compared paragraph by paragraph (markup noise left out)."""
    old_lines = html_to_text(old_html).splitlines()
    new_lines = html_to_text(new_html).splitlines()
    rows = []
    for line in difflib.ndiff(old_lines, new_lines):
        kind, text = line[:1], line[2:]
        if kind == "?":  # ndiff's intraline hint line, not content
            continue
        rows.append({"kind": {"-": "removed", "+": "added"}.get(kind, "same"), "text": text})
    return rows


@admin.register(ArticleImage)
class ArticleImageAdmin(ChangesContent, admin.ModelAdmin):
    list_display = ["article", "position", "src", "caption"]
    search_fields = ["article__title", "caption"]
    autocomplete_fields = ["article"]
    list_select_related = ["article"]

    # An image's alt text and caption are part of its article: changing or removing one is
    # an edit of the article, which a re-import must keep.
    def save_model(self, request, obj, form, change):
        obj.article.edit(lambda _: obj.save(), user=request.user, comment=gettext("修改图片"))

    def delete_model(self, request, obj):
        obj.article.edit(lambda _: obj.delete(), user=request.user, comment=gettext("删除图片"))

    def delete_queryset(self, request, queryset):
        articles = Article.objects.filter(pk__in=queryset.values("article_id"))
        articles.edit(lambda _: queryset.delete(), user=request.user, comment=gettext("删除图片"))


# Renaming a tag renames it on every article page, tag list and search entry.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(SavesNames, TaggitTagAdmin):
    pass


@admin.register(OldAddress)
class OldAddressAdmin(ChangesContent, admin.ModelAdmin):
    """Addresses of the original sites, each answered with a 301 to its article."""

    list_display = ["path", "article"]
    search_fields = ["path", "article__title"]
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
        "created",
        "updated",
        "unchanged",
        "kept",
        "failed",
        "vanished",
    ]
    # A dry run writes nothing, not even its own record, so there is no dry-run column.
    list_filter = ["command"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False
