"""Admin curation actions. The work itself is in articles.curation; these collect input.

Actions that need input show an intermediate page (as Django's delete confirmation does) that
posts back to the change list with the same action and selection plus `apply`.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import IntegrityError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import curation
from .forms import BulkCategoriesForm, BulkTagsForm, MergeForm
from .importing.locking import ImportLocked, import_lock
from .importing.runner import reprocess_articles
from .importing.storing import UPDATED
from .models import Article


def action_page(modeladmin, request, queryset, form_class, title, apply, form_kwargs=None):
    """Show `form_class` for the selection; on a valid `apply` post, run apply(cleaned_data)."""
    form_kwargs = form_kwargs or {}
    if "apply" in request.POST:
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            apply(form.cleaned_data)
            return None  # back to the change list, which shows the messages
    else:
        form = form_class(
            initial={
                "action": request.POST["action"],
                "_selected_action": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            },
            **form_kwargs,
        )
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "form": form,
        "media": modeladmin.media + form.media,
        "objects": queryset,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/articles/action_form.html", context)


def ids_of(queryset):
    return list(queryset.values_list("pk", flat=True))


@admin.action(description=gettext_lazy("添加分类…"), permissions=["change"])
def add_categories(modeladmin, request, queryset):
    def apply(data):
        added = curation.add_categories(
            ids_of(queryset), data["categories"], user=request.user, comment=_("添加分类")
        )
        modeladmin.message_user(request, _("已添加 %(n)d 条分类归属。") % {"n": added})

    return action_page(
        modeladmin, request, queryset, BulkCategoriesForm, _("为所选文章添加分类"), apply
    )


@admin.action(description=gettext_lazy("移除分类…"), permissions=["change"])
def remove_categories(modeladmin, request, queryset):
    def apply(data):
        removed = curation.remove_categories(
            ids_of(queryset), data["categories"], user=request.user, comment=_("移除分类")
        )
        modeladmin.message_user(request, _("已移除 %(n)d 条分类归属。") % {"n": removed})

    return action_page(
        modeladmin, request, queryset, BulkCategoriesForm, _("从所选文章移除分类"), apply
    )


@admin.action(description=gettext_lazy("添加标签…"), permissions=["change"])
def add_tags(modeladmin, request, queryset):
    def apply(data):
        articles = list(queryset)
        curation.add_tags(articles, data["tags"], user=request.user, comment=_("添加标签"))
        modeladmin.message_user(
            request,
            _("已为 %(n)d 篇文章添加标签：%(tags)s")
            % {"n": len(articles), "tags": "、".join(data["tags"])},
        )

    return action_page(modeladmin, request, queryset, BulkTagsForm, _("为所选文章添加标签"), apply)


@admin.action(description=gettext_lazy("移除标签…"), permissions=["change"])
def remove_tags(modeladmin, request, queryset):
    def apply(data):
        articles = list(queryset)
        curation.remove_tags(articles, data["tags"], user=request.user, comment=_("移除标签"))
        modeladmin.message_user(
            request,
            _("已从 %(n)d 篇文章移除标签：%(tags)s")
            % {"n": len(articles), "tags": "、".join(data["tags"])},
        )

    return action_page(modeladmin, request, queryset, BulkTagsForm, _("从所选文章移除标签"), apply)


# has_merge_permission (admin.MergesArticles): change and delete here, and change articles.
@admin.action(description=gettext_lazy("合并所选项…"), permissions=["merge"])
def merge(modeladmin, request, queryset):
    """Merge the selected rows into the one the editor picks (Author/Editor/Source/Category)."""
    if queryset.count() < 2:
        modeladmin.message_user(request, _("请至少选择两项进行合并。"), messages.WARNING)
        return None

    def apply(data):
        target = data["target"]
        others = [obj for obj in queryset if obj.pk != target.pk]
        names = "、".join(str(other) for other in others)
        merge = (
            curation.merge_categories
            if modeladmin.model._meta.model_name == "category"
            else curation.merge_named
        )
        comment = _("合并 %(names)s 到 %(target)s") % {"names": names, "target": target}
        try:
            moved = merge(target, others, user=request.user, comment=comment)
        except (curation.MergeError, IntegrityError) as error:
            message = _("合并失败：%(error)s") % {"error": error}
            modeladmin.message_user(request, message, messages.ERROR)
            return
        modeladmin.message_user(
            request,
            _("已将 %(names)s 合并到 %(target)s，移动了 %(n)d 篇文章。")
            % {"names": names, "target": target, "n": moved},
            messages.SUCCESS,
        )

    return action_page(
        modeladmin,
        request,
        queryset,
        MergeForm,
        _("合并所选%(name)s") % {"name": modeladmin.model._meta.verbose_name},
        apply,
        form_kwargs={"queryset": queryset},
    )


@admin.action(description=gettext_lazy("从原始文件重新清洗（保留编辑）"), permissions=["change"])
def reprocess(modeladmin, request, queryset):
    """Re-run parse/clean/sanitize from each article's stored raw file; edits are kept.

    Under the import lock, as reprocess_articles takes it: an import running at the same time
    would race this one over the same rows.
    """
    ids = ids_of(queryset)
    updated = []

    def report(outcome):
        if outcome.action == UPDATED:
            updated.append(outcome.article_id)

    try:
        with import_lock("reprocess (admin)"):
            result = reprocess_articles(
                ids,
                zone_name=settings.NEWSARCHIVE_IMPORT_TIMEZONE,
                arguments=f"admin: {request.user.get_username()}, {len(ids)} selected",
                report=report,
            )
            # Each re-cleaned article gets a revision, as any change made from the admin does.
            Article.objects.filter(pk__in=updated).edit(
                user=request.user, comment=_("从原始文件重新清洗"), edited=False
            )
    except ImportLocked as error:
        modeladmin.message_user(
            request,
            _("没有重新清洗：%(error)s。请等它结束后再试。") % {"error": error},
            messages.ERROR,
        )
        return
    counts = result.counts
    without_raw = len(ids) - result.total
    modeladmin.message_user(
        request,
        _(
            "重新清洗完成：更新 %(updated)d 篇，保留编辑 %(kept)d 篇，未变 %(unchanged)d 篇，"
            "失败 %(failed)d 篇，无原始文件 %(missing)d 篇。"
        )
        % {
            "updated": counts["updated"],
            "kept": counts["kept"],
            "unchanged": counts["unchanged"],
            "failed": counts["failed"],
            "missing": without_raw,
        },
        messages.ERROR if counts["failed"] else messages.SUCCESS,
    )
    for failure in result.failures[:10]:
        modeladmin.message_user(request, failure, messages.ERROR)
