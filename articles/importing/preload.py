"""Imported once by the forkserver that every parsing process is forked from (see
pipeline.worker_context): what each worker would otherwise build for itself on its first
file is built there, and every worker inherits it. No Django here."""

from ..tokens import traditional_character, traditional_to_simplified
from . import pipeline  # noqa: F401  (the workers' code itself)

traditional_to_simplified()
traditional_character()
