"""What the archive knows of each picture it mirrors: one row per original URL."""

import hashlib

from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _


def url_key(url):
    return hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


class MirroredImageQuerySet(models.QuerySet):
    def for_urls(self, urls):
        """{original URL: mirrored copy} for those of `urls` with a local copy; one query."""
        keys = {url_key(url): url for url in urls if url}
        if not keys:
            return {}
        rows = self.filter(url_hash__in=keys, status=MirroredImage.Status.MIRRORED)
        return {keys[row.url_hash]: row for row in rows}


class MirroredImage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待镜像")
        MIRRORED = "mirrored", _("已镜像")
        FAILED = "failed", _("失败")

    url = models.TextField(_("原始地址"))
    url_hash = models.CharField(_("地址摘要"), max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    sha256 = models.CharField(_("内容摘要"), max_length=64, blank=True, db_index=True)
    file = models.CharField(_("文件"), max_length=255, blank=True)
    format = models.CharField(_("格式"), max_length=10, blank=True)
    width = models.PositiveIntegerField(_("宽度"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高度"), null=True, blank=True)
    bytes = models.PositiveIntegerField(_("字节数"), null=True, blank=True)
    # {"320": storage name, ...}: the WebP copies narrower than the original.
    renditions = models.JSONField(_("缩略图"), default=dict, blank=True)
    fetched_at = models.DateTimeField(_("获取时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    objects = MirroredImageQuerySet.as_manager()

    class Meta:
        app_label = "articles"
        verbose_name = _("镜像图片")
        verbose_name_plural = _("镜像图片")
        ordering = ["-fetched_at", "pk"]

    def __str__(self):
        return self.url

    def save(self, *args, **kwargs):
        self.url_hash = url_key(self.url)
        super().save(*args, **kwargs)

    @property
    def local_url(self):
        return default_storage.url(self.file)

    def rendition_url(self, width):
        """The smallest copy at least `width` wide, else the original."""
        fitting = sorted(int(size) for size in self.renditions if int(size) >= width)
        name = self.renditions[str(fitting[0])] if fitting else self.file
        return default_storage.url(name)

    @property
    def srcset(self):
        return self.srcset_with(lambda url: url)

    def srcset_with(self, absolute):
        candidates = [
            (int(size), default_storage.url(name)) for size, name in self.renditions.items()
        ]
        candidates.append((self.width, self.local_url))
        return ", ".join(f"{absolute(url)} {size}w" for size, url in sorted(candidates))
