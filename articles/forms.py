"""Admin forms: the article form with the rich-text body editor, and the curation action forms."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelectMultiple
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.utils import parse_tags

from .content import clean_line
from .models import Article, ArticleImage, Category
from .validators import validate_body_images, validate_image_url

# The editor's schema: every element and attribute the sanitizer keeps (content/sanitizing.py)
# has a node, mark or attribute here, because ProseMirror drops whatever its schema does not
# know: without Figure/Image/Caption, opening and saving an imported article lost its photos
# and turned their credits into loose paragraphs. What no extension can hold is unwrapped by
# the editor with its text kept (<span>, <div>, a table's <thead>); tests/browser/
# test_editor_round_trip.py saves every real article through the editor and compares.
# Only the "configurable" preset reads this "extensions" dict; the default preset ignores it.
EDITOR_CONFIG = {
    "extensions": {
        "FaithfulParsing": True,
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "TextStyle": True,
        "Highlight": True,
        "Code": True,
        "Small": True,
        "Cite": True,
        "InlineQuote": True,
        "Keyboard": True,
        "Sample": True,
        "Variable": True,
        "Deleted": True,
        "Inserted": True,
        "Abbreviation": True,
        "Heading": {"levels": [1, 2, 3, 4, 5, 6]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "CodeBlock": True,
        "HorizontalRule": True,
        "HardBreak": True,
        # Links open in the same tab (no target): the sanitizer strips target anyway.
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        # The attributes the sanitizer forces, so the editor shows Sina's images (its host
        # refuses requests with a Referer) and sends what will be stored.
        "Image": {"HTMLAttributes": {"referrerpolicy": "no-referrer", "loading": "lazy"}},
        "Figure": True,
        "Caption": True,
        "BlockFigure": True,
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        "DescriptionList": True,
        "DescriptionTerm": True,
        "DescriptionDetails": True,
        "Details": True,
        "DetailsSummary": True,
        "ClassedDiv": True,
        "SanitizerAttributes": True,
        # The HTML button lets an editor fix markup the toolbar cannot reach.
        "HTML": True,
        "History": True,
        "Fullscreen": True,
        "MenuTranslation": True,
    }
}


class ArticleBodyWidget(AdminProseEditorWidget):
    """The admin's prose editor with the project's extensions (static/articles/editor_extras.js)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, config=EDITOR_CONFIG, preset="configurable", **kwargs)

    def get_config(self):
        config = super().get_config()
        # static() at render time: the hashed file name under ManifestStaticFilesStorage.
        extras = static("articles/editor_extras.js")
        return {**config, "js_modules": [*config["js_modules"], extras]}


class SplitDateTimeWithSeconds(AdminSplitDateTime):
    """The admin's date and time inputs, the time with its seconds. The stock time input shows
    the locale's first time format, "%H:%M" in Chinese, so saving an unchanged form cut the
    seconds off every imported publication time."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1].format = "%H:%M:%S"


DATETIME_FIELDS = ["published_at", "publish_start", "publish_end", "updated_at"]


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        # The ModelAdmin's fieldsets choose the fields; this form swaps the body and date-time
        # widgets and holds image URLs to the importer's rule.
        fields = "__all__"  # noqa: DJ007
        widgets = {
            "body_html": ArticleBodyWidget(),
            **{name: SplitDateTimeWithSeconds() for name in DATETIME_FIELDS},
        }

    def clean(self):
        cleaned = super().clean()
        # The inputs show whole seconds; a time the editor left alone keeps its fraction.
        for name in DATETIME_FIELDS:
            value, stored = cleaned.get(name), getattr(self.instance, name, None)
            if value and stored and value == stored.replace(microsecond=0):
                cleaned[name] = stored
        return cleaned

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
