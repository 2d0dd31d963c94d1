"""An editor inserts an image with its caption, a table and a link from the Chinese toolbar,
saves, and the stored body has them. Screenshots go to tests/artifacts/."""

from articles.models import Article
from tests.body_structure import structure
from tests.factories import make_article


def submit_dialog(page, fields):
    dialog = page.locator("dialog.prose-editor-dialog")
    dialog.wait_for(state="visible")
    for name, value in fields.items():
        field = dialog.locator(f"[name={name}]")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")


def test_editor_inserts_image_table_and_link(live_server, page, screenshot, editor_cookie):
    article = make_article(
        "吉林省委书记景俊海到四平", body_html="<p>第一段正文。</p>", source_path="金融/a.md"
    )
    page.context.add_cookies([editor_cookie])
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    editor = page.locator('.prose-editor [contenteditable="true"]')
    editor.wait_for(state="visible")
    toolbar = page.locator(".prose-menubar")

    editor.locator("p").first.click()
    page.keyboard.press("End")
    toolbar.locator('button[title="插入图片"]').click()
    submit_dialog(
        page,
        {
            "imageUrl": "https://n.sinaimg.cn/new.jpg",
            "altText": "吉林市街景",
            "caption": "新华社记者 张楠 摄",
        },
    )
    page.keyboard.press("Control+End")
    toolbar.locator('button[title="插入表格"]').click()
    submit_dialog(page, {"rows": "2", "cols": "2", "withHeaderRow": "Yes"})
    page.keyboard.type("城市")
    page.keyboard.press("Tab")
    page.keyboard.type("检测人数")

    editor.locator("p").first.click()
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    toolbar.locator('button[title="插入链接"]').click()
    submit_dialog(page, {"href": "https://finance.sina.com.cn/"})
    screenshot("toolbar-inserted")

    with page.expect_navigation():
        page.locator('input[name="_save"]').click()
    assert page.locator(".messagelist .success").count() == 1
    body = structure(Article.objects.get(pk=article.pk).body_html)
    assert body["images"] == [("https://n.sinaimg.cn/new.jpg", "吉林市街景", "新华社记者 张楠 摄")]
    assert body["links"] == [("https://finance.sina.com.cn/", "第一段")]
    assert body["tables"] == [[["城市", "检测人数"], ["", ""]]]
    assert body["paragraphs"][0] == "第一段正文。"
