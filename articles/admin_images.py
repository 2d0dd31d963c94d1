"""Admin for mirrored pictures: their list, an article's picture status, the re-mirror action."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .mirroring.models import MirroredImage, url_key
from .mirroring.service import UNMIRRORED, mirror_images


@admin.register(MirroredImage)
class MirroredImageAdmin(admin.ModelAdmin):
    list_display = ["url", "status", "format", "width", "height", "bytes", "fetched_at"]
    list_filter = ["status", "format"]
    search_fields = ["url", "sha256", "last_error"]
    readonly_fields = [field.name for field in MirroredImage._meta.fields]

    def has_add_permission(self, request):
        return False  # rows come from articles' pictures, never typed in


@admin.display(description=gettext_lazy("图片镜像"))
def picture_status(article):
    """Each picture of the article: mirrored (with its size) or the reason it failed."""
    if article.pk is None:
        return "-"
    urls = [image.src for image in article.images.all()]
    urls += [article.lead_image_url, article.thumbnail_url]
    urls = list(dict.fromkeys(url for url in urls if url))
    if not urls:
        return _("没有图片")
    rows = {
        row.url_hash: row
        for row in MirroredImage.objects.filter(url_hash__in=[url_key(url) for url in urls])
    }
    lines = []
    for url in urls:
        row = rows.get(url_key(url))
        if row is None or row.status == MirroredImage.Status.PENDING:
            state = _("未镜像")
        elif row.status == MirroredImage.Status.MIRRORED:
            state = _("已镜像 %(w)d×%(h)d %(format)s") % {
                "w": row.width,
                "h": row.height,
                "format": row.format,
            }
        else:
            state = _("失败：%(error)s") % {"error": row.last_error}
        lines.append((state, url))
    return format_html(
        "<ul class='picture-status'>{}</ul>",
        format_html_join("", "<li>{} <code>{}</code></li>", lines),
    )


@admin.action(description=gettext_lazy("重新镜像图片"), permissions=["change"])
def remirror_pictures(modeladmin, request, queryset):
    """Fetch again every picture of the selection that is not mirrored (pending or failed)."""
    result = mirror_images(queryset, which=UNMIRRORED)
    failed = result.failures
    modeladmin.message_user(request, _("已镜像 %(n)d 张图片。") % {"n": result.counts["mirrored"]})
    if failed:
        modeladmin.message_user(
            request,
            _("%(n)d 张图片失败：%(first)s") % {"n": len(failed), "first": failed[0]},
            level=messages.WARNING,
        )


def dashboard_counts():
    counts = dict.fromkeys(MirroredImage.Status.values, 0)
    rows = MirroredImage.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts
