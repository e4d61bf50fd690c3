from django.urls import path

from maillage.activities import people_views, place_views, views, workshop_views

app_name = "activities"

urlpatterns = [
    path("ma-semaine/", views.my_week, name="my_week"),
    path("activites/", views.mine, name="mine"),
    path("activites/nouvelle/", views.record_new, name="new"),
    path("activites/<int:record_id>/corriger/", views.record_edit, name="edit"),
    path("activites/<int:record_id>/supprimer/", views.record_delete, name="delete"),
    path("personnes/", people_views.people, name="people"),
    path("personnes/nouvelle/", people_views.person_new, name="person_new"),
    path("personnes/<int:person_id>/", people_views.person_detail, name="person"),
    path("personnes/<int:person_id>/modifier/", people_views.person_edit, name="person_edit"),
    path("personnes/<int:person_id>/fusionner/", people_views.person_merge, name="person_merge"),
    path("personnes/<int:person_id>/supprimer/", people_views.person_delete, name="person_delete"),
    path("personnes/<int:person_id>/donnees/", people_views.person_data, name="person_data"),
    path("personnes/<int:person_id>/donnees.json", people_views.person_data_json, name="person_data_json"),
    path("ateliers/", workshop_views.search, name="workshop_search"),
    path("ateliers/<int:session_id>/", workshop_views.session_detail, name="workshop_session"),
    path("ateliers/inscription/<str:token>/", workshop_views.registration, name="registration"),
    path("mes-ateliers/", workshop_views.mine, name="workshops_mine"),
    path("mes-ateliers/nouveau/", workshop_views.workshop_new, name="workshop_new"),
    path("mes-ateliers/seances/<int:session_id>/", workshop_views.session_manage, name="session_manage"),
    path("mes-ateliers/seances/<int:session_id>/inscrire/", workshop_views.session_register, name="session_register"),
    path("mes-ateliers/seances/<int:session_id>/presences/", workshop_views.attendance, name="attendance"),
    path("mes-ateliers/seances/<int:session_id>/annuler/", workshop_views.session_cancel, name="session_cancel"),
    path(
        "mes-ateliers/inscriptions/<int:registration_id>/annuler/",
        workshop_views.registration_cancel,
        name="registration_cancel",
    ),
    path("activites/lieux/<int:place_id>/", place_views.place_activity, name="place"),
    path("activites/lieux/<int:place_id>/<int:year>/<int:month>/", place_views.place_month, name="place_month"),
    path("activites/export.csv", place_views.export_csv, name="export"),
]
