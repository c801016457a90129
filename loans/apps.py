from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self):
        # The client page shows the client's plans, loan steps and repayments through the
        # hooks clients offers (clients never imports loans).
        from clients import selectors

        from .timeline import client_timeline

        if client_timeline not in selectors.timeline_sources:
            selectors.timeline_sources.append(client_timeline)
        if "loans/includes/client_section.html" not in selectors.client_page_sections:
            selectors.client_page_sections.append("loans/includes/client_section.html")
