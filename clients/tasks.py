"""Background work of the clients app (Celery)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext_lazy as _

from centres.models import Centre
from centres.scoping import centre_scope

from .importing import SOFT_TIME_LIMIT, TIME_LIMIT, fail_import, run_import
from .models import ClientImport

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def run_client_import(import_id: int, centre_id: int) -> None:
    """Check and register the rows of a confirmed import (`importing.run_import`), in the
    scope of the import's centre. A message delivered twice does the work once: a finished
    import is left alone, and the rows are saved in the transaction that marks it done."""
    centre = Centre.objects.get(pk=centre_id)
    with centre_scope(centre):
        client_import = (
            ClientImport.objects.select_related("centre", "created_by").filter(pk=import_id).first()
        )
        if client_import is None:
            logger.warning("Client import %s is not one of centre %s's", import_id, centre_id)
            return
        try:
            run_import(client_import=client_import)
        except SoftTimeLimitExceeded:
            fail_import(
                client_import=client_import,
                error=_(
                    "The import took too long and was stopped; nothing was imported. Split "
                    "the list into smaller files and upload them one by one."
                ),
            )
        except Exception:
            fail_import(
                client_import=client_import,
                error=_(
                    "The import stopped because of an error on the server; nothing was "
                    "imported. Try again later, or tell the administrator."
                ),
            )
            raise
