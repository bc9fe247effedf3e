from django.contrib import admin
from django.urls import include, path

from joinedup.config.api import api

urlpatterns = [
    path("", include("joinedup.web.urls")),
    path("people/", include("joinedup.people.urls")),
    path("", include("joinedup.governance.urls")),
    path("discharge/", include("joinedup.discharge.urls")),
    path("care/", include("joinedup.coordination.urls")),
    path("funding/", include("joinedup.funding.urls")),
    path("population/", include("joinedup.population.urls")),
    path("safeguarding/", include("joinedup.safeguarding.urls")),
    path("directory/", include("joinedup.directory.urls")),
    path("ucr/", include("joinedup.ucr.urls")),
    path("matching/", include("joinedup.people.views.review_urls")),
    path("me/", include("joinedup.portal.urls")),
    path("api/v1/", api.urls),
    path("", include("joinedup.interop.urls")),  # POST /fhir/R4, /integration/
    path("fhir/R4/", include("joinedup.interop.fhir.urls_api")),
    path("admin/", admin.site.urls),
]

handler400 = "joinedup.web.views.bad_request"
handler403 = "joinedup.web.views.permission_denied"
handler404 = "joinedup.web.views.page_not_found"
handler500 = "joinedup.web.views.server_error"
