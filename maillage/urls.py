from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from maillage import views
from maillage.api.urls import api

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("langue/", login_not_required(set_language), name="set_language"),
    path("territoire/", include("maillage.territory.urls")),
    path("", include("maillage.places.urls")),
    path("", include("maillage.helprequests.urls")),
    path("", include("maillage.passes.urls")),
    path("", include("maillage.activities.urls")),
    path("", include("maillage.accounts.urls")),
    path("api/v1/", api.urls),
]

handler500 = "maillage.views.server_error"
