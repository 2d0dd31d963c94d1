from django.urls import path, register_converter

from . import converters, views

register_converter(converters.FourDigitYear, "yyyy")
register_converter(converters.TwoDigit, "mm")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("<yyyy:year>/", views.YearArchive.as_view(), name="archive_year"),
    path("<yyyy:year>/<mm:month>/", views.MonthArchive.as_view(), name="archive_month"),
    path("<yyyy:year>/<mm:month>/<mm:day>/", views.DayArchive.as_view(), name="archive_day"),
    # <str:> not <slug:>: slugs keep Chinese characters and <slug:> is ASCII-only.
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/<str:slug>/",
        views.ArticleDetail.as_view(),
        name="detail",
    ),
    path("category/<path:path>/", views.CategoryArticles.as_view(), name="category"),
    path("tag/<str:slug>/", views.TagArticles.as_view(), name="tag"),
    path("author/<str:slug>/", views.AuthorArticles.as_view(), name="author"),
    path("editor/<str:slug>/", views.EditorArticles.as_view(), name="editor"),
    path("source/<str:slug>/", views.SourceArticles.as_view(), name="source"),
]
