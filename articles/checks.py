"""System checks for a production start: the static files gunicorn will be asked for exist."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, register


@register(Tags.staticfiles, deploy=True)
def static_manifest_collected(app_configs, **kwargs):
    # With DEBUG off every {% static %} is looked up in collectstatic's manifest; without it
    # every page is a 500. A checkout that ran collectstatic with DEBUG on has no manifest.
    storage = staticfiles_storage
    if settings.DEBUG or not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.exists(storage.manifest_name):
        return []
    return [
        Error(
            f"{storage.manifest_name} is missing from {settings.STATIC_ROOT}: every page would "
            "fail with DEBUG off.",
            hint="Run `python manage.py collectstatic --noinput` with the production settings "
            "(scripts/serve.sh does).",
            id="newsarchive.E001",
        )
    ]
