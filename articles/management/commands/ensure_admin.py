import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure an operator can log into the admin: create or update the superuser named by "
        "DJANGO_SUPERUSER_USERNAME/DJANGO_SUPERUSER_PASSWORD, or, when no superuser exists, "
        "create 'admin' with a generated password and print it."
    )

    def handle(self, *args, **options):
        users = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if username and password:
            user, _ = users.objects.get_or_create(username=username)
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            self.stdout.write(
                f"Admin: log in at /admin/ as '{username}' with DJANGO_SUPERUSER_PASSWORD."
            )
            return
        existing = users.objects.filter(is_superuser=True).first()
        if existing:
            self.stdout.write(
                f"Admin: log in at /admin/ as '{existing.username}' "
                f"(forgot it? python manage.py changepassword {existing.username})."
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser("admin", "", password)
        self.stdout.write(f"Admin: log in at /admin/ as 'admin' with password {password}")
