from django.urls import path

from maillage.passes import views

app_name = "passes"

urlpatterns = [
    path("pass-numerique/", views.hub, name="hub"),
    # Funders.
    path("pass-numerique/programmes/nouveau/", views.program_new, name="program_new"),
    path("pass-numerique/programmes/<int:program_id>/", views.program_detail, name="program_detail"),
    path("pass-numerique/programmes/<int:program_id>/commander/", views.order_new, name="order_new"),
    path("pass-numerique/programmes/<int:program_id>/bilan.csv", views.program_report_csv, name="program_report_csv"),
    # The coordination, which runs the scheme.
    path("pass-numerique/programmes/<int:program_id>/lieux/", views.program_places, name="program_places"),
    path("pass-numerique/commandes/<int:order_id>/payee/", views.order_paid, name="order_paid"),
    path("pass-numerique/commandes/<int:order_id>/distribuer/", views.order_assign, name="order_assign"),
    path("pass-numerique/commandes/<int:order_id>/carnets.pdf", views.order_booklets_pdf, name="order_booklets_pdf"),
    path("pass-numerique/bloquer/", views.block_pass, name="block"),
    path("pass-numerique/releves/", views.payouts, name="payouts"),
    path("pass-numerique/releves/virements.<str:file_format>", views.bank_transfers, name="bank_transfers"),
    path("pass-numerique/releves/<int:payout_id>/paye/", views.payout_paid, name="payout_paid"),
    path("pass-numerique/releves/<int:payout_id>.pdf", views.payout_pdf, name="payout_pdf"),
    path("pass-numerique/releves/<int:payout_id>.csv", views.payout_csv, name="payout_csv"),
    # Distributors.
    path("pass-numerique/carnets/", views.booklets, name="booklets"),
    path("pass-numerique/carnets/<int:booklet_id>/remettre/", views.booklet_handover, name="booklet_handover"),
    path("pass-numerique/carnets/<int:booklet_id>.pdf", views.booklet_pdf, name="booklet_pdf"),
    # Places.
    path("pass-numerique/encaisser/", views.till, name="till"),
    path("pass-numerique/encaisser/<int:redemption_id>/", views.till_done, name="till_done"),
    path("pass-numerique/encaisser/<int:redemption_id>/annuler/", views.redemption_cancel, name="redemption_cancel"),
    path("pass-numerique/coordonnees-bancaires/<int:organization_id>/", views.bank_details, name="bank_details"),
]
