"""App configuration for the pact registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PactConfig(AppConfig):
    name = "patto.pact"
    label = "pact"
    verbose_name = _("Pact registry")

    def ready(self) -> None:
        from patto.core.importing import Importer, register_importer

        from .resources import PartyResource, TerritoryResource

        register_importer(Importer("parties", _("Parties"), PartyResource, "pact.add_party"))
        register_importer(Importer("territories", _("Territories"), TerritoryResource,
                                   "pact.add_territory"))
