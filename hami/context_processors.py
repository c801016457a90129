from django.conf import settings
from django.utils.translation import get_language_bidi


def hami(request):
    return {
        "HAMI_VERSION": settings.VERSION,
        "IS_RTL": get_language_bidi(),
    }
