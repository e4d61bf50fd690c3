from django.urls import path

from maillage.helprequests import staff_views, views

app_name = "helprequests"

urlpatterns = [
    # The person, without an account.
    path("besoin-d-aide/", views.ask_for_help, name="ask"),
    path("besoin-d-aide/envoyee/<str:token>/", views.confirmation, name="confirmation"),
    path("besoin-d-aide/suivi/<str:token>/", views.follow, name="follow"),
    path("besoin-d-aide/suivi/<str:token>/plus-besoin/", views.withdraw, name="withdraw"),
    path("orientation/<str:token>/", views.place_referral, name="place_referral"),
    # The people who help.
    path("demandes/", staff_views.inbox, name="inbox"),
    path("demandes/nouvelle/", staff_views.new_request, name="new"),
    path("demandes/<int:request_id>/", staff_views.request_detail, name="detail"),
    path("demandes/<int:request_id>/donnees/", staff_views.personal_data, name="personal_data"),
    path("demandes/<int:request_id>/prendre/", staff_views.claim, name="claim"),
    path("demandes/<int:request_id>/accepter/", staff_views.accept, name="accept"),
    path("demandes/<int:request_id>/refuser/", staff_views.decline, name="decline"),
    path("demandes/<int:request_id>/contact/", staff_views.log_contact, name="log_contact"),
    path("demandes/<int:request_id>/rendez-vous/", staff_views.book, name="book"),
    path("demandes/<int:request_id>/cloturer/", staff_views.close, name="close"),
    path("demandes/<int:request_id>/attribuer/", staff_views.assign, name="assign"),
    path("demandes/<int:request_id>/orienter/", staff_views.refer, name="refer"),
    path("demandes/<int:request_id>/transmettre/", staff_views.transfer, name="transfer"),
    path("demandes/<int:request_id>/reproposer/", staff_views.reoffer, name="reoffer"),
]
