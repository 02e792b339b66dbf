"""Root URLs: Italian paths by default, English under /en/ (i18n_patterns)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Patto – management")
admin.site.site_title = _("Patto")
admin.site.index_title = _("Pact administration")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("patto.api.urls")),
]
urlpatterns += i18n_patterns(
    path("gestione/admin/", admin.site.urls),
    path("", include("patto.site.urls")),
    path("", include("patto.pact.urls")),
    path("", include("patto.projects.urls")),
    path("", include("patto.monitoring.urls")),
    path("", include("patto.funds.urls")),
    path("", include("patto.instruments.urls")),
    path("", include("patto.participation.urls")),
    path("", include("patto.governance.urls")),
    path("", include("patto.api.page_urls")),
    prefix_default_language=False,
)
