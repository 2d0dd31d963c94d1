"""Every admin string in the Chinese UI is Chinese, the login-protection section included."""

import json

import pytest
from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.urls import reverse

pytestmark = pytest.mark.django_db


def texts(response):
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


def test_axes_section_and_models_are_named_in_chinese(admin_client):
    page = texts(admin_client.get(reverse("admin:index")))
    assert "登录保护" in page
    assert {"访问尝试", "访问日志", "访问失败"} <= set(page.split())
    assert "Axes" not in page and "Access attempts" not in page


def test_axes_columns_and_filters_are_chinese(admin_client):
    AccessAttempt.objects.create(
        username="guesser", ip_address="127.0.0.1", user_agent="curl", failures_since_start=3
    )
    page = texts(admin_client.get(reverse("admin:axes_accessattempt_changelist")))
    for label in ("尝试时间", "IP 地址", "用户名", "用户代理", "登录失败次数", "已锁定"):
        assert label in page
    assert "Attempt Time" not in page and "Locked Out" not in page


def test_english_ui_names_the_section_in_english(admin_client):
    admin_client.cookies["django_language"] = "en"
    page = texts(admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Login protection" in page and "登录保护" not in page


def test_the_editor_catalog_has_chinese_tooltips(admin_client):
    catalog = admin_client.get(reverse("admin:jsi18n")).content.decode()
    for english, chinese in (("insert link", "插入链接"), ("Insert table", "插入表格"),
                             ("Image URL", "图片地址"), ("Caption", "图片说明")):  # fmt: skip
        # The catalog is JSON with \\u escapes.
        assert f'"{english}": {json.dumps(chinese)}' in catalog
