import pytest
from django.urls import reverse

from articles.models import Article, ArticleImage, ImportRun, RawSource

from .factories import category_chain, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    leaf = category_chain("金融", "新浪财经", "新浪财经－国內")
    article = make_article(
        "吉林省委书记景俊海到四平",
        author="新浪财经",
        editor="王蒙",
        source="吉林日报",
        categories=[leaf],
        tags=["疫情"],
        source_path="金融/a.md",
    )
    ArticleImage.objects.create(
        article=article, position=0, src="https://n.sinaimg.cn/a.jpg", caption="邹乃硕 摄"
    )
    RawSource.objects.create(article=article, text="---\ntitle: x\n---\n正文")
    ImportRun.objects.create(
        command="import_articles",
        created=1,
        failed=1,
        errors=[{"path": "bad.md", "error": "no title"}],
    )
    return article


MODELS = [
    "article",
    "author",
    "editor",
    "source",
    "category",
    "articleimage",
    "rawsource",
    "importrun",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders_real_rows(admin_client, article, model):
    response = admin_client.get(reverse(f"admin:articles_{model}_changelist"))
    assert response.status_code == 200
    assert "0 " not in response.context["cl"].result_count.__str__()[:2]
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize(
    "model", ["article", "author", "editor", "source", "category", "articleimage"]
)
def test_every_add_page_renders(admin_client, model):
    response = admin_client.get(reverse(f"admin:articles_{model}_add"))
    assert response.status_code == 200
    assert b'name="_save"' in response.content


def test_article_change_page_shows_fields_and_readonly_identity(admin_client, article):
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="吉林省委书记景俊海到四平"' in content
    assert "金融/a.md" in content
    assert 'name="source_path"' not in content  # import identity is read-only
    assert article.get_absolute_url() in content or "r/" in content  # "view on site"
    assert "邹乃硕 摄" in content


def test_article_changelist_columns_and_filters(admin_client, article):
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    content = response.content.decode()
    for text in ["吉林省委书记景俊海到四平", "新浪财经", "王蒙", "新浪财经－国內", "已发布"]:
        assert text in content
    assert "date_hierarchy" in content or "xfull" in content or "published_at__year" in content


def test_changelists_cost_the_same_queries_for_more_rows(
    admin_client, article, django_assert_max_num_queries
):
    url = reverse("admin:articles_category_changelist")
    admin_client.get(url)
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:articles_author_changelist"))
    for n in range(30):
        make_article(
            f"文章{n}",
            author=f"作者{n}",
            editor=f"编辑{n}",
            categories=[category_chain("金融", f"子类{n}")],
        )
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:articles_author_changelist"))
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:articles_category_changelist"))
    with django_assert_max_num_queries(14):
        admin_client.get(reverse("admin:articles_article_changelist"))


def test_category_tree_is_indented_with_counts(admin_client, article):
    content = admin_client.get(reverse("admin:articles_category_changelist")).content.decode()
    assert "padding-left:3.0em" in content  # depth 2
    assert content.index(">金融<") < content.index("新浪财经－国內")


def test_bulk_publish_and_unpublish(admin_client, article):
    url = reverse("admin:articles_article_changelist")
    admin_client.post(url, {"action": "unpublish", "_selected_action": [article.pk]})
    assert Article.objects.get(pk=article.pk).status == "draft"
    admin_client.post(url, {"action": "publish", "_selected_action": [article.pk]})
    assert Article.objects.get(pk=article.pk).status == "published"


def test_admin_is_in_chinese_by_default(admin_client, article):
    content = admin_client.get(reverse("admin:index")).content.decode()
    assert "新闻档案管理" in content
    assert "注销" in content or "登出" in content


def test_anonymous_is_sent_to_login(client, article):
    for model in MODELS:
        response = client.get(reverse(f"admin:articles_{model}_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
