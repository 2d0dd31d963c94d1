"""Admin forms: the article form with the rich-text body editor, and the curation action forms."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.utils import parse_tags

from .content import clean_line
from .models import Article, ArticleImage, Category
from .validators import validate_body_images, validate_image_url

# What the editor may produce: a subset of the sanitizer's allowlist (content/sanitizing.py),
# so nothing an editor makes is silently dropped on save. Figure/Image/Caption must stay on:
# ProseMirror drops any element its schema does not know, and imported bodies are full of
# <figure><img><figcaption>; without them, opening and saving an article would lose its photos.
# Links open in the same tab (no target) because the sanitizer strips target anyway.
EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},  # h1 is the page title
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "Image": True,
        "Figure": True,
        "Caption": True,
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        # The HTML button lets an editor fix markup the toolbar cannot reach.
        "HTML": True,
        "History": True,
    }
}


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        # The ModelAdmin's fieldsets choose the fields; this form swaps the body widget and
        # holds image URLs to the importer's rule.
        fields = "__all__"  # noqa: DJ007
        widgets = {"body_html": AdminProseEditorWidget(config=EDITOR_CONFIG)}

    def clean_tags(self):
        # Tag names are printed by feeds: one line, XML-safe, as the importer stores them.
        return [name for name in map(clean_line, self.cleaned_data["tags"]) if name]

    def clean_body_html(self):
        validate_body_images(self.cleaned_data["body_html"])
        return self.cleaned_data["body_html"]

    def clean_lead_image_url(self):
        validate_image_url(self.cleaned_data["lead_image_url"])
        return self.cleaned_data["lead_image_url"]

    def clean_thumbnail_url(self):
        validate_image_url(self.cleaned_data["thumbnail_url"])
        return self.cleaned_data["thumbnail_url"]


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["position", "src", "alt", "caption"]

    def clean_src(self):
        validate_image_url(self.cleaned_data["src"])
        return self.cleaned_data["src"]


class ActionForm(forms.Form):
    """Carries the selected rows through an intermediate page back to the action."""

    action = forms.CharField(widget=forms.HiddenInput)
    _selected_action = forms.CharField(widget=forms.MultipleHiddenInput)


class BulkCategoriesForm(ActionForm):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(),
        label=_("分类"),
        help_text=_("添加时也会添加上级分类；移除时也会移除其下级分类。"),
        # The admin's own select2 autocomplete: category trees run to thousands of nodes.
        widget=AutocompleteSelectMultiple(Article._meta.get_field("categories"), admin.site),
    )


class BulkTagsForm(ActionForm):
    tags = forms.CharField(
        label=_("标签"), help_text=_("多个标签用逗号分隔；含空格的标签请加引号。")
    )

    def clean_tags(self):
        names = [name for name in map(clean_line, parse_tags(self.cleaned_data["tags"])) if name]
        if not names:
            raise forms.ValidationError(_("请至少输入一个标签。"))
        return names


class MergeForm(ActionForm):
    """Pick which of the selected rows survives; the others are merged into it."""

    target = forms.ModelChoiceField(
        queryset=None, label=_("保留"), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset
