"""Shared by the admin test files: a staff user with chosen permissions, a change-form post."""

import json

from django.contrib.auth.models import Permission
from django.utils import timezone


def staff_user(django_user_model, *codenames):
    user = django_user_model.objects.create_user("staffer", "s@example.com", "pw-staff-123")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def split(moment):
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def change_data(article, **overrides):
    """What the admin change form posts for `article` as stored, with `overrides` applied."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "original_title": article.original_title,
        "status": article.status,
        "author": article.author_id or "",
        "editor": article.editor_id or "",
        "source": article.source_id or "",
        "categories": [c.pk for c in article.categories.all()],
        "tags": ", ".join(sorted(t.name for t in article.tags.all())),
        "body_html": article.body_html,
        "excerpt": article.excerpt,
        "lead_image_url": article.lead_image_url,
        "thumbnail_url": article.thumbnail_url,
        "extra": json.dumps(article.extra),
        # A field whose model default is callable renders a hidden copy of its initial value.
        "initial-extra": json.dumps(article.extra),
    }
    if article.comments_enabled:
        data["comments_enabled"] = "on"
    for name in ("published_at", "publish_start", "publish_end", "updated_at"):
        data[f"{name}_0"], data[f"{name}_1"] = split(getattr(article, name))
    images = list(article.images.all())
    data.update(
        {
            "images-TOTAL_FORMS": len(images),
            "images-INITIAL_FORMS": len(images),
            "images-MIN_NUM_FORMS": 0,
            "images-MAX_NUM_FORMS": 1000,
        }
    )
    for i, image in enumerate(images):
        for field in ("id", "position", "src", "alt", "caption"):
            data[f"images-{i}-{field}"] = getattr(image, field)
        data[f"images-{i}-article"] = article.pk
    data.update(overrides)
    return data


def browser_form_data(html, form_id="article_form"):
    """What a browser posts for the form as rendered: every enabled field's value (checked
    boxes, selected options, textarea text), plus the save button."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    data = {}

    def add(name, value):
        data.setdefault(name, []).append(value)

    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.has_attr("disabled"):
            continue
        if field.name == "textarea":
            add(name, field.get_text())
        elif field.name == "select":
            for option in field.find_all("option", selected=True):
                add(name, option.get("value", option.get_text()))
        elif field.get("type", "text") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                add(name, field.get("value", "on"))
        elif field.get("type") not in ("submit", "button", "file", "image", "reset"):
            add(name, field.get("value", ""))
    data["_save"] = ["save"]
    return data
