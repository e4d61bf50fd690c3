from django.urls import path

from maillage.helprequests import views

app_name = "helprequests"

urlpatterns = [
    path("besoin-d-aide/", views.ask_for_help, name="ask"),
    path("besoin-d-aide/envoyee/<str:token>/", views.confirmation, name="confirmation"),
    path("besoin-d-aide/suivi/<str:token>/", views.follow, name="follow"),
    path("besoin-d-aide/suivi/<str:token>/plus-besoin/", views.withdraw, name="withdraw"),
]
