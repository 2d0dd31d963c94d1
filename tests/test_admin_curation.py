"""Curation actions in the change lists: bulk categories and tags, merges, re-cleaning."""

import pytest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import search
from articles.models import Article, Author, Category, Editor, FiledUnder, ImportRun, Source

from .admin_helpers import staff_user
from .conftest import SEEDS
from .factories import category_chain, make_article
from .importing import run_import

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:articles_article_changelist")


def act(client, url, action, objects, **data):
    return client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objects], **data}, follow=True
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def names(article, relation):
    return sorted(str(o) for o in getattr(article, relation).all())


def found(q):
    return list(Article.objects.search(q, include_unpublished=True).values_list("pk", flat=True))


def test_add_categories_shows_a_form_then_files_under_the_chain(admin_client):
    one, two = make_article("一"), make_article("二")
    leaf = category_chain("国际", "亚洲", "日本")
    page = act(admin_client, ARTICLES, "add_categories", [one, two])
    assert b'name="categories"' in page.content and "一" in page.content.decode()
    assert names(one, "categories") == []  # nothing happens before the form is applied
    act(admin_client, ARTICLES, "add_categories", [one, two], apply="1", categories=[leaf.pk])
    assert names(one, "categories") == ["国际", "国际 / 亚洲", "国际 / 亚洲 / 日本"]
    assert names(two, "categories") == names(one, "categories")
    # The action re-indexed: category names are searchable.
    assert sorted(found("日本")) == sorted([one.pk, two.pk])


def test_remove_categories_takes_the_subtree(admin_client):
    leaf = category_chain("国际", "亚洲", "日本")
    other = category_chain("体育")
    article = make_article("一", categories=[leaf.parent.parent, leaf.parent, leaf, other])
    act(
        admin_client,
        ARTICLES,
        "remove_categories",
        [article],
        apply="1",
        categories=[leaf.parent.pk],
    )
    assert names(article, "categories") == sorted(["国际", "体育"])


def test_add_and_remove_tags(admin_client):
    one, two = make_article("一", tags=["旧"]), make_article("二")
    response = act(admin_client, ARTICLES, "add_tags", [one, two], apply="1", tags="疫情, 春耕")
    assert "已为 2 篇文章添加标签：春耕、疫情" in messages_of(response)
    assert names(one, "tags") == ["旧", "春耕", "疫情"] and names(two, "tags") == ["春耕", "疫情"]
    act(admin_client, ARTICLES, "remove_tags", [one, two], apply="1", tags="疫情")
    assert names(one, "tags") == ["旧", "春耕"] and names(two, "tags") == ["春耕"]


def test_bulk_form_errors_keep_the_page(admin_client):
    article = make_article("一")
    page = act(admin_client, ARTICLES, "add_tags", [article], apply="1", tags=" ")
    assert 'class="errorlist' in page.content.decode()
    assert b'name="tags"' in page.content  # the form again, with its error
    assert names(article, "tags") == []


@pytest.mark.parametrize(
    ("model", "field"), [(Author, "author"), (Editor, "editor"), (Source, "source")]
)
def test_merge_people_and_sources_moves_articles(admin_client, model, field):
    one = make_article("一", **{field: "新浪"})
    two = make_article("二", **{field: "新浪网"})
    keep, gone = model.objects.get(name="新浪"), model.objects.get(name="新浪网")
    url = reverse(f"admin:articles_{model._meta.model_name}_changelist")
    page = act(admin_client, url, "merge", [keep, gone])
    assert b'name="target"' in page.content
    response = act(admin_client, url, "merge", [keep, gone], apply="1", target=keep.pk)
    assert "已将 新浪网 合并到 新浪，移动了 1 篇文章。" in messages_of(response)
    assert not model.objects.filter(pk=gone.pk).exists()
    assert {getattr(a, f"{field}_id") for a in Article.objects.filter(pk__in=[one.pk, two.pk])} == {
        keep.pk
    }


def test_merge_needs_two(admin_client):
    author = make_article("一", author="新浪").author
    url = reverse("admin:articles_author_changelist")
    response = act(admin_client, url, "merge", [author], apply="1", target=author.pk)
    assert "请至少选择两项进行合并。" in messages_of(response)
    assert Author.objects.filter(pk=author.pk).exists()


def test_merge_categories_moves_articles_children_and_paths(admin_client):
    old_leaf = category_chain("财经", "股市", "A股")
    category_chain("财经", "股市", "港股")
    kept_twin = category_chain("金融", "股市")  # same-name child exists under the target
    article = make_article("一", categories=[old_leaf.parent.parent, old_leaf.parent, old_leaf])
    target, gone = Category.objects.get(name="金融"), Category.objects.get(name="财经")
    url = reverse("admin:articles_category_changelist")
    act(admin_client, url, "merge", [target, gone], apply="1", target=target.pk)

    assert not Category.objects.filter(name="财经").exists()
    assert sorted(Category.objects.values_list("path", flat=True)) == [
        "金融",
        "金融 / 股市",
        "金融 / 股市 / A股",
        "金融 / 股市 / 港股",
    ]
    a_share = Category.objects.get(name="A股")
    assert a_share.parent_id == kept_twin.pk and a_share.depth == 2
    assert a_share.slug_path == f"{target.slug}/{kept_twin.slug}/{a_share.slug}"
    assert names(article, "categories") == ["金融", "金融 / 股市", "金融 / 股市 / A股"]
    assert found("金融") == [article.pk]


def test_merge_category_into_its_own_subtree_is_refused(admin_client):
    child = category_chain("财经", "股市")
    parent = child.parent
    url = reverse("admin:articles_category_changelist")
    response = act(admin_client, url, "merge", [parent, child], apply="1", target=child.pk)
    assert any("合并失败" in m for m in messages_of(response))
    assert Category.objects.filter(pk=parent.pk).exists()
    assert Category.objects.get(pk=child.pk).path == "财经 / 股市"


def test_reprocess_action_reports_counts_and_keeps_edits(admin_client):
    run_import(SEEDS)
    first, second = Article.objects.order_by("source_path")
    Article.objects.filter(pk=first.pk).update(body_html="<p>stale</p>", body_text="stale")
    Article.objects.filter(pk=second.pk).update(title="编辑的标题", edited_at=timezone.now())
    plain = make_article("没有原始文件")
    response = act(admin_client, ARTICLES, "reprocess", [first, second, plain])
    assert (
        "重新清洗完成：更新 1 篇，保留编辑 1 篇，未变 0 篇，失败 0 篇，无原始文件 1 篇。"
        in messages_of(response)
    )
    first.refresh_from_db()
    assert first.body_text.startswith("4月7日")
    assert Article.objects.get(pk=second.pk).title == "编辑的标题"
    run = ImportRun.objects.filter(command="reprocess_articles").get()
    assert (run.updated, run.kept) == (1, 1) and "admin: boss" in run.arguments


def test_staff_without_change_permission_cannot_run_change_actions(client, django_user_model):
    client.force_login(staff_user(django_user_model, "view_article", "view_author"))
    article = make_article("一", status="draft", author="新浪")
    changelist = client.get(ARTICLES)
    assert changelist.context["action_form"] is None  # no action at all for a view-only user
    for action in ["publish", "add_tags", "reprocess"]:
        act(client, ARTICLES, action, [article], apply="1", tags="x")
    article.refresh_from_db()
    assert article.status == "draft" and names(article, "tags") == []
    author_url = reverse("admin:articles_author_changelist")
    other = make_article("二", author="新浪网").author
    act(client, author_url, "merge", [article.author, other], apply="1", target=other.pk)
    assert Author.objects.count() == 2


def post_change(client, obj, **fields):
    """Post the admin change form of a category, author, source or tag with `fields` changed."""
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = {"name": obj.name, "slug": obj.slug, **fields}
    for inline in client.get(url).context["inline_admin_formsets"]:  # a tag's items, as shown
        for form in [inline.formset.management_form, *inline.formset.forms]:
            data.update({field.html_name: field.value() for field in form if field.value()})
    if isinstance(obj, Category):
        data.setdefault("parent", obj.parent_id or "")
    response = client.post(url, data)
    errors = response.context and response.context["errors"]
    assert response.status_code == 302, errors
    obj.refresh_from_db()


def index_all():
    search.update_index(Article.objects.values_list("pk", flat=True))


def searched(q, category=None, **filters):
    articles = Article.objects.filter(**filters)
    if category is not None:
        articles = articles.filter(FiledUnder(category))
    return set(articles.search(q, include_unpublished=True).values_list("title", flat=True))


def test_a_category_moved_or_renamed_in_the_admin_takes_its_subtree_and_search_along(
    admin_client,
):
    leaf = category_chain("国内", "疫情", "上海")
    elsewhere = category_chain("专题")
    make_article("封控通报", categories=[leaf, leaf.parent, leaf.parent.parent])
    make_article("国内其他", categories=[leaf.parent.parent])
    index_all()
    assert searched("通报", category=elsewhere) == set()

    post_change(admin_client, leaf.parent, parent=elsewhere.pk, slug="yiqing")
    moved = Category.objects.get(pk=leaf.pk)
    assert moved.slug_path == "专题/yiqing/上海" and moved.path == "专题 / 疫情 / 上海"
    # Filed at 国内 by the import, the article stays there; 专题 now holds it through 疫情.
    assert searched("通报", category=elsewhere) == {"封控通报"}
    assert searched("通报", category=Category.objects.get(name="国内")) == {"封控通报"}
    assert searched("国内其他", category=elsewhere) == set()

    post_change(admin_client, elsewhere, name="防疫专题", slug="fangyi")
    assert Category.objects.get(pk=leaf.pk).slug_path == "fangyi/yiqing/上海"
    assert searched("通报", category=elsewhere) == {"封控通报"}
    # The names of the categories an article is filed in are searchable text.
    post_change(admin_client, leaf.parent, name="新冠", slug="yiqing", parent=elsewhere.pk)
    assert Category.objects.get(pk=leaf.pk).path == "防疫专题 / 新冠 / 上海"
    assert searched("新冠") == {"封控通报"}
    assert searched("疫情") == set()


@pytest.mark.parametrize("model", [Author, Source])
def test_a_renamed_author_or_source_is_searched_by_its_new_name(admin_client, model):
    field = model._meta.model_name
    make_article("一篇报道", **{field: "王小明"})
    make_article("另一篇", **{field: "李华"})
    index_all()
    person = model.objects.get(name="王小明")
    assert searched("王小明") == {"一篇报道"}
    post_change(admin_client, person, name="王大明")
    assert searched("王小明") == set()
    assert searched("王大明") == {"一篇报道"}
    assert searched("一篇", **{field: person}) == {"一篇报道"}
    assert searched("另一篇", **{field: person}) == set()


def test_a_renamed_tag_is_searched_by_its_new_name(admin_client):
    make_article("带标签", tags=["春耕"])
    index_all()
    tag = Tag.objects.get(name="春耕")
    post_change(admin_client, tag, name="秋收")
    assert searched("春耕") == set()
    assert searched("秋收") == {"带标签"}


def test_a_category_cannot_be_moved_under_itself_or_its_subtree(admin_client):
    leaf = category_chain("国内", "疫情", "上海")
    top = Category.objects.get(name="国内")
    url = reverse("admin:articles_category_change", args=[top.pk])
    for parent in (top, leaf):
        response = admin_client.post(url, {"name": top.name, "slug": top.slug, "parent": parent.pk})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["parent"] == [
            "上级分类不能是它自己或它的下级分类。"
        ]
    assert Category.objects.get(pk=leaf.pk).slug_path == leaf.slug_path
    assert Category.objects.get(pk=top.pk).parent is None
