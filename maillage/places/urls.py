from django.urls import path

from maillage.places import views

app_name = "places"
urlpatterns = [
    path("lieux/", views.place_search, name="search"),
    path("lieux/<int:place_id>/", views.place_detail, name="detail"),
    path("donnees/", views.open_data, name="open_data"),
    path("donnees/lieux.csv", views.places_csv, name="places_csv"),
    path("donnees/lieux.json", views.places_json, name="places_json"),
    path("donnees/lieux.geojson", views.places_geojson, name="places_geojson"),
    path("donnees/data-inclusion/structures.json", views.data_inclusion_structures, name="data_inclusion_structures"),
    path("donnees/data-inclusion/services.json", views.data_inclusion_services, name="data_inclusion_services"),
]
