"""App configs for third-party apps whose admin names need to be the project's."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    # django-axes names its admin section after its label ("Axes") and ships no Chinese; its
    # model and field names are translated in locale/zh_Hans.
    verbose_name = _("登录保护")
