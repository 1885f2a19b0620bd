"""Top-level URL map: console, portal, admin and API."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path

from rightdesk.api import api


def _home(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect("/desk/")


urlpatterns = [
    path("", _home),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("desk/mail/", include("rightdesk.channels.desk_urls")),
    path("desk/", include("rightdesk.desk.urls")),
    path("desk/shop/", include("rightdesk.commerce.urls")),
    path("desk/custody/", include("rightdesk.custody.urls")),
    path("desk/", include("rightdesk.commitments.urls")),
    path("desk/", include("rightdesk.quality.urls")),
    path("mail/", include("rightdesk.channels.urls")),
    path("portal/", include("rightdesk.portal.urls")),
]
