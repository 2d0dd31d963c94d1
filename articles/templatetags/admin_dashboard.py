"""`{% admin_dashboard as stats %}`: the numbers on the admin index (templates/admin/index.html).

A template tag rather than an AdminSite subclass so the project keeps Django's default site
(and every admin.site.register call) untouched. A fixed handful of queries whatever the size.
"""

from datetime import timedelta

from django import template
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from articles.admin_images import dashboard_counts
from articles.models import Article, ImportRun

register = template.Library()

RECENT_RUNS = 8
ERRORS_PER_RUN = 5
IMPORT_DAYS = 14


def error_text(error):
    # The runner stores "path: message" strings; older rows may hold {"path", "error"} dicts.
    if isinstance(error, dict):
        return ": ".join(str(error[key]) for key in ("path", "error") if key in error)
    return str(error)


@register.simple_tag
def admin_dashboard():
    counts = Article.objects.aggregate(
        total=Count("pk"),
        drafts=Count("pk", filter=Q(status=Article.Status.DRAFT)),
        edited=Count("pk", filter=Q(edited_at__isnull=False)),
    )
    # Readers' view (status and publish window), from the model's one definition of it.
    counts["public"] = Article.objects.published().count()
    since = timezone.now() - timedelta(days=IMPORT_DAYS)
    by_day = (
        ImportRun.objects.filter(started_at__gte=since, dry_run=False)
        .annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(
            runs=Count("pk"),
            created=Sum("created"),
            updated=Sum("updated"),
            kept=Sum("kept"),
            failed=Sum("failed"),
        )
        .order_by("-day")
    )
    runs = list(ImportRun.objects.all()[:RECENT_RUNS])
    for run in runs:
        run.error_lines = [error_text(error) for error in run.errors[:ERRORS_PER_RUN]]
        run.more_errors = max(0, len(run.errors) - ERRORS_PER_RUN)
    return {
        "counts": counts,
        "pictures": dashboard_counts(),
        "imports_by_day": list(by_day),
        "recent_runs": runs,
    }
