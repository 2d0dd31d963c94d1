"""Small helpers that create real rows for tests (no mocks)."""

from datetime import UTC, datetime

from articles.models import Article, Author, Category, Editor, Source


def category_chain(*names):
    parent = None
    for name in names:
        parent, _ = Category.objects.get_or_create(name=name, parent=parent)
    return parent


def make_article(title="测试文章", slug=None, categories=(), tags=(), **fields):
    fields.setdefault("published_at", datetime(2022, 4, 7, 13, 21, 43, tzinfo=UTC))
    fields.setdefault("body_html", f"<p>{title}的正文。</p>")
    fields.setdefault("body_text", f"{title}的正文。")
    for key, model in (("author", Author), ("editor", Editor), ("source", Source)):
        if isinstance(fields.get(key), str):
            name = fields[key]
            fields[key], _ = model.objects.get_or_create(name=name, defaults={"slug": name})
    article = Article.objects.create(title=title, slug=slug or title, **fields)
    article.categories.set(categories)
    if tags:
        article.tags.set(list(tags))
    return article
