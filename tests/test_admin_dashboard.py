"""The admin index as a dashboard: article counts, imports by day, recent runs and failures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import ImportRun

from .factories import make_article

pytestmark = pytest.mark.django_db


def test_dashboard_counts_articles_drafts_and_edits(admin_client):
    make_article("一")
    make_article("二", status="draft")
    make_article("三", status="draft", edited_at=timezone.now())
    response = admin_client.get(reverse("admin:index"))
    counts = response.content.decode()
    start = counts.index('id="dashboard-counts"')
    numbers = counts[start : counts.index('id="dashboard-imports"')]
    assert "<strong>3</strong>全部" in numbers
    assert "<strong>1</strong>公开" in numbers
    assert "<strong>2</strong>草稿" in numbers
    assert "<strong>1</strong>编辑修改过" in numbers
    assert "文章" in counts and 'href="/admin/articles/article/"' in counts  # app list stays


def test_dashboard_shows_imports_by_day_and_recent_failures(admin_client):
    now = timezone.now()
    ImportRun.objects.create(
        command="import_articles", started_at=now, finished_at=now, created=5, failed=2,
        errors=["金融/bad.md: no title", "金融/worse.md: undecodable"],
    )  # fmt: skip
    ImportRun.objects.create(
        command="import_articles", started_at=now - timedelta(minutes=5), finished_at=now,
        created=3, errors=[{"path": "old.md", "error": "dict-shaped error"}], failed=1,
    )  # fmt: skip
    ImportRun.objects.create(
        command="import_articles", started_at=now - timedelta(days=30), finished_at=now, created=99
    )
    content = admin_client.get(reverse("admin:index")).content.decode()
    imports = content[
        content.index('id="dashboard-imports"') : content.index('id="dashboard-runs"')
    ]
    today = timezone.localdate(now).strftime("%Y-%m-%d")
    # Today's two runs summed; the run of a month ago is outside the two weeks.
    assert f'<th scope="row">{today}</th><td>2</td><td>8</td>' in imports
    assert "99" not in imports
    runs = content[content.index('id="dashboard-runs"') :]
    assert "<li>金融/bad.md: no title</li>" in runs
    assert "<li>old.md: dict-shaped error</li>" in runs
    assert "新建 5，更新 0，未变 0，保留 0，失败 2" in runs


def test_dashboard_query_count_does_not_grow_with_runs(admin_client, django_assert_max_num_queries):
    for n in range(20):
        ImportRun.objects.create(command="import_articles", created=n, errors=[f"{n}.md: bad"])
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:index"))
