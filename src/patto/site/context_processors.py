"""What every page's frame needs: the demo flag and the pact it belongs to."""

from django.conf import settings


def site(request):
    return {"patto_demo": settings.PATTO_DEMO}
