from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HamiConfig(AppConfig):
    name = "hami"
    verbose_name = _("Hami")
