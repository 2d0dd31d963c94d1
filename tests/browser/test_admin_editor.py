"""An editor changes an article body through the rich-text widget in a real browser and the
public page shows the change. Screenshots go to tests/artifacts/ (git-ignored)."""

from datetime import UTC, datetime

from articles.models import Article
from tests.factories import make_article


def test_editor_edits_body_in_widget_and_public_page_shows_it(
    live_server, page, screenshot, editor_cookie
):
    article = make_article(
        "吉林省委书记景俊海到四平",
        body_html="<p>原来的正文。</p>",
        published_at=datetime(2022, 4, 7, 5, 0, tzinfo=UTC),
        source_path="金融/a.md",
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.context.add_cookies([editor_cookie])

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    editor = page.locator('.prose-editor [contenteditable="true"]')
    editor.wait_for(state="visible", timeout=15000)
    # The widget replaced the raw-HTML textarea: the textarea is hidden, the menu bar is there.
    assert not page.locator('textarea[name="body_html"]').is_visible()
    assert "原来的正文" in editor.inner_text()
    screenshot("1-editor")

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("编辑器里写的新段落")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+B")
    page.keyboard.type("加粗的第二段")
    screenshot("2-edited")
    with page.expect_navigation():
        page.locator('input[name="_save"]').click()
    assert page.locator(".messagelist .success").count() == 1

    stored = Article.objects.get(pk=article.pk)
    assert stored.body_html == "<p>编辑器里写的新段落</p><p><strong>加粗的第二段</strong></p>"
    assert stored.body_text.split() == ["编辑器里写的新段落", "加粗的第二段"]
    assert stored.edited_at is not None

    page.goto(live_server.url + stored.get_absolute_url())
    body = page.locator(".article-body")
    assert body.locator("p").first.inner_text() == "编辑器里写的新段落"
    assert body.locator("strong").inner_text() == "加粗的第二段"
    assert "原来的正文" not in body.inner_text()
    screenshot("3-public")
    # A CSP refusal of the import map or a module would surface here.
    assert errors == []
