"""App configuration for the pact registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PactConfig(AppConfig):
    name = "patto.pact"
    label = "pact"
    verbose_name = _("Pact registry")

    def ready(self) -> None:
        from patto.core.importing import Importer, register_importer

        from .resources import PartyResource, TerritoryResource, resource_runner

        register_importer(Importer("parties", _("Parties"), "pact.add_party",
                                   resource_runner(PartyResource)))
        register_importer(Importer("territories", _("Territories"), "pact.add_territory",
                                   resource_runner(TerritoryResource)))
