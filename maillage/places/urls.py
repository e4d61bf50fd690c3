from django.urls import path

from maillage.places import exports, views

app_name = "places"
urlpatterns = [
    path("lieux/", views.place_search, name="search"),
    path("lieux/<int:place_id>/", views.place_detail, name="detail"),
    path("lieux/<int:place_id>/signaler/", views.place_report, name="report"),
    path("lieux/<int:place_id>/signaler/merci/", views.place_report_thanks, name="report_thanks"),
    path("lieux/mes-lieux/", views.my_places, name="mine"),
    path("lieux/<int:place_id>/modifier/", views.place_edit, name="edit"),
    path("lieux/<int:place_id>/confirmer/", views.place_confirm, name="confirm"),
    path("lieux/signalements/<int:correction_id>/traite/", views.correction_resolve, name="correction_resolve"),
    path("donnees/", views.open_data, name="open_data"),
    *(
        path(f"donnees/{file.path}", views.open_data_file, {"name": name}, name=name)
        for name, file in exports.OPEN_DATA_FILES.items()
    ),
]
