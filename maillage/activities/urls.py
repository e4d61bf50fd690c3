from django.urls import path

from maillage.activities import views

app_name = "activities"

urlpatterns = [
    path("ma-semaine/", views.my_week, name="my_week"),
    path("activites/", views.mine, name="mine"),
    path("activites/nouvelle/", views.record_new, name="new"),
    path("activites/<int:record_id>/corriger/", views.record_edit, name="edit"),
    path("activites/<int:record_id>/supprimer/", views.record_delete, name="delete"),
]
