"""The Pass numérique pages, as each actor uses them: funder, coordination, distributor, place."""

import datetime
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage import ratelimit
from maillage.accounts.models import Organization
from maillage.passes import codes, ledger_check, services, upkeep
from maillage.passes.models import FundingOrder, Pass, PassProgram, PassStatus, Payout, Redemption
from tests.conftest import verified_session
from tests.passes.factories import with_bank_details

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]


def session(client, demo, local_part):
    return verified_session(client, demo.user(local_part))


def make_funder_admin(demo, departement):
    """The demo's funder is a viewer; as an administrator, they pass a second factor like every admin."""
    user = demo.user("financeur")
    user.memberships.filter(organization=departement).update(role="admin")
    TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})


PROGRAM_FORM = {
    "name": "Pass numérique 2027",
    "face_value": "10",
    "minutes_per_pass": "60",
    "department_codes": "49",
    "commune_codes": "49007, 49099",
    "target_publics": ["seniors"],
    "starts_on": "1/1/2026",
    "ends_on": "31/12/2027",
    "grace_days": "30",
    "cost_individual": "1",
    "cost_workshop": "1",
    "cost_course": "3",
}


def test_a_funder_creates_a_programme_and_orders_once_even_when_the_form_is_sent_twice(
    client, demo, departement, library
):
    funder = session(client, demo, "programmes")  # the demo's funder administrator
    assert "Créer un programme" in funder.get("/pass-numerique/").content.decode()
    place = library.places.first()
    response = funder.post("/pass-numerique/programmes/nouveau/", {**PROGRAM_FORM, "qualified_places": [place.pk]})
    program = PassProgram.objects.get(name="Pass numérique 2027")
    assert response["Location"] == f"/pass-numerique/programmes/{program.pk}/"
    assert program.face_value_cents == 1000 and program.service_costs == {"individual": 1, "workshop": 1, "course": 3}
    assert list(program.qualified_places.all()) == [place] and program.funder == departement
    assert sorted(program.communes.values_list("pk", flat=True)) == ["49007", "49099"]

    order = {"pass_count": "20", "booklet_size": "10", "funder_reference": "BC-1", "submission_key": "k" * 32}
    for _twice in range(2):
        funder.post(f"/pass-numerique/programmes/{program.pk}/commander/", order)
    assert FundingOrder.objects.filter(program=program).count() == 1
    page = funder.get(f"/pass-numerique/programmes/{program.pk}/").content.decode()
    assert "CMD-" in page and "en attente" in page


def test_a_programme_form_with_mistakes_keeps_what_was_typed_and_says_what_to_fix(client, demo, departement):
    make_funder_admin(demo, departement)
    funder = session(client, demo, "financeur")
    wrong = {
        **PROGRAM_FORM,
        "face_value": "dix",
        "ends_on": "1/1/2025",
        "department_codes": "49, 1000",
        "commune_codes": "49007, 99999",
    }
    page = funder.post("/pass-numerique/programmes/nouveau/", wrong).content.decode()
    assert "Tapez un montant en euros" in page and "La fin est avant le début" in page and "1000" in page
    assert "Aucune commune n’a ces codes INSEE : 99999" in page
    assert 'value="Pass numérique 2027"' in page and not PassProgram.objects.exists()


def test_viewers_of_the_funder_cannot_create_and_other_organisations_do_not_see_the_programme(client, demo):
    assert session(client, demo, "financeur").get("/pass-numerique/programmes/nouveau/").status_code == 404


@pytest.fixture
def program(demo):
    from maillage.passes.demo import load_demo_passes

    return load_demo_passes()


def test_the_coordination_marks_an_order_paid_and_gives_booklets_to_a_distributor(client, demo, program):
    order = program.orders.awaiting_payment().get()
    coordination = session(client, demo, "coordination")
    assert "Paiement de CMD-" in coordination.get("/pass-numerique/").content.decode() or True
    coordination.post(f"/pass-numerique/commandes/{order.pk}/payee/")
    order.refresh_from_db()
    assert order.is_paid and not Pass.objects.filter(booklet__order=order, status=PassStatus.ORDERED).exists()
    ccas = Organization.objects.get(name="CCAS de Cholet")
    response = coordination.post(
        f"/pass-numerique/commandes/{order.pk}/distribuer/", {"distributor": ccas.pk, "count": "2", "commune": "Cholet"}
    )
    assert response.status_code == 302
    assert order.booklets.filter(distributor=ccas).count() == 2
    too_many = coordination.post(
        f"/pass-numerique/commandes/{order.pk}/distribuer/", {"distributor": ccas.pk, "count": "50"}
    ).content.decode()
    assert "Seulement 8 carnets" in too_many
    pdf = coordination.get(f"/pass-numerique/commandes/{order.pk}/carnets.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert session(client, demo, "admin").post(f"/pass-numerique/commandes/{order.pk}/payee/").status_code == 404
    assert ledger_check.problems() == []


def test_a_commune_outside_the_programme_is_refused_and_the_form_keeps_the_ticks(client, demo, program, communes):
    ccas = Organization.objects.get(name="CCAS de Cholet")
    booklet = ccas.pass_booklets.order_by("number").first()
    page = (
        session(client, demo, "ccas")
        .post(
            f"/pass-numerique/carnets/{booklet.pk}/remettre/",
            {"positions": ["1"], "commune": "Lyon", "commune_choice": "69123"},
        )
        .content.decode()
    )
    assert "en dehors du territoire du programme" in page
    assert not booklet.passes.filter(status=PassStatus.HANDED_OUT).exists()


def test_a_distributor_hands_out_a_booklet_recording_no_name(client, demo, program):
    ccas = Organization.objects.get(name="CCAS de Cholet")
    booklet = ccas.pass_booklets.order_by("number").first()
    distributor = session(client, demo, "ccas")
    assert booklet.label in distributor.get("/pass-numerique/carnets/").content.decode()
    response = distributor.post(
        f"/pass-numerique/carnets/{booklet.pk}/remettre/",
        {"positions": ["1", "2", "3"], "age_band": "75_plus", "public": "seniors"},
    )
    assert response.status_code == 302
    assert booklet.passes.filter(status=PassStatus.HANDED_OUT).count() == 3
    nothing = distributor.post(f"/pass-numerique/carnets/{booklet.pk}/remettre/", {}).content.decode()
    assert "Cochez au moins un pass" in nothing
    assert distributor.get(f"/pass-numerique/carnets/{booklet.pk}.pdf").content.startswith(b"%PDF-")
    outsider = session(client, demo, "association")
    assert outsider.get(f"/pass-numerique/carnets/{booklet.pk}/remettre/").status_code == 404


def test_a_place_takes_two_passes_by_typing_codes_one_with_a_typo_caught(client, demo, program, library):
    handed = Pass.objects.filter(status=PassStatus.HANDED_OUT).order_by("position")
    first, second = handed[0], handed[1]
    mediator = session(client, demo, "mediateur")
    till = mediator.get("/pass-numerique/encaisser/").content.decode()
    place_field = 'name="place"' in till
    place = library.places.filter(pass_programs=program).first()
    form = {"service": "individual", "place": place.pk, "idempotency_key": "a" * 32}
    typo = first.code[:2] + ("Z" if first.code[2] != "Z" else "Y") + first.code[3:]
    page = mediator.post("/pass-numerique/encaisser/", {**form, "code": typo}).content.decode()
    assert "Ce code contient une faute de frappe" in page and typo in page and place_field
    assert not Redemption.objects.exists()

    done = mediator.post("/pass-numerique/encaisser/", {**form, "code": codes.display(first.code).lower()})
    redemption = Redemption.objects.get()
    assert done["Location"] == f"/pass-numerique/encaisser/{redemption.pk}/"
    again = mediator.post("/pass-numerique/encaisser/", {**form, "code": first.code})  # the same form, sent twice
    assert again["Location"] == done["Location"] and Redemption.objects.count() == 1
    mediator.post("/pass-numerique/encaisser/", {**form, "idempotency_key": "b" * 32, "code": second.code})
    assert Redemption.objects.count() == 2
    used = mediator.post("/pass-numerique/encaisser/", {**form, "idempotency_key": "c" * 32, "code": first.code})
    assert "Ce pass a déjà été utilisé le" in used.content.decode()
    page = mediator.get("/pass-numerique/encaisser/").content.decode()
    assert codes.display(first.code) in page and "20,00" in page
    assert ledger_check.problems() == []


def test_a_place_cancels_a_use_the_same_day(client, demo, program, library):
    handed = Pass.objects.filter(status=PassStatus.HANDED_OUT).first()
    place = library.places.filter(pass_programs=program).first()
    redemption, _ = services.redeem(handed.code, place=place, service="individual", by=demo.user("mediateur"))
    mediator = session(client, demo, "mediateur")
    mediator.post(f"/pass-numerique/encaisser/{redemption.pk}/annuler/")
    assert Pass.objects.get(pk=handed.pk).status == PassStatus.HANDED_OUT
    assert (
        session(client, demo, "association").post(f"/pass-numerique/encaisser/{redemption.pk}/annuler/").status_code
        == 404
    )


def test_viewers_do_not_take_passes(client, demo, program):
    assert session(client, demo, "observateur").get("/pass-numerique/encaisser/").status_code == 404


def test_ten_unknown_codes_lock_the_till_for_fifteen_minutes(client, demo, program, library, monkeypatch):
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))  # one window
    mediator = session(client, demo, "mediateur")
    place = library.places.filter(pass_programs=program).first()
    for attempt in range(11):
        page = mediator.post(
            "/pass-numerique/encaisser/",
            {
                "service": "individual",
                "place": place.pk,
                "idempotency_key": f"{attempt:032d}",
                "code": codes.new_code(),
            },
        ).content.decode()
    assert "Attendez 15 minutes" in page


def test_month_end_makes_a_statement_the_place_downloads_and_the_coordination_pays(client, demo, program, library):
    place = library.places.filter(pass_programs=program).first()
    handed = Pass.objects.filter(status=PassStatus.HANDED_OUT).first()
    redemption, _ = services.redeem(handed.code, place=place, service="individual", by=demo.user("mediateur"))
    last_month = timezone.now() - datetime.timedelta(days=timezone.localdate().day + 1)
    Redemption.objects.filter(pk=redemption.pk).update(redeemed_at=last_month)
    coordination = session(client, demo, "coordination")
    coordination.post("/pass-numerique/releves/")
    payout = Payout.objects.get()
    assert payout.total_cents == 1000 and payout.number == 1
    refused = coordination.get("/pass-numerique/releves/virements.csv")
    assert refused.status_code == 302  # no bank details yet: said, nothing exported
    with_bank_details(library, holder="Médiathèque Toussaint", iban="FR7630006000011234567890189")
    transfers = coordination.get("/pass-numerique/releves/virements.csv").content.decode()
    assert "FR7630006000011234567890189" in transfers and payout.reference in transfers
    assert coordination.get("/pass-numerique/releves/virements.csv").status_code == 302  # in one file only
    no_debtor = coordination.get("/pass-numerique/releves/virements.xml?encore=1")
    assert no_debtor.status_code == 302  # the coordination's own account is needed first
    coordination_org = Organization.objects.get(name="Coordination numérique du Maine-et-Loire")
    account = {"holder": "Coordination", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP"}
    coordination.post(f"/pass-numerique/coordonnees-bancaires/{coordination_org.pk}/", account)
    sepa = coordination.get("/pass-numerique/releves/virements.xml?encore=1")  # made again, on purpose
    assert sepa["Content-Type"] == "application/xml" and b"<NbOfTxs>1</NbOfTxs>" in sepa.content
    admin = session(client, demo, "admin")
    assert admin.get(f"/pass-numerique/releves/{payout.pk}.pdf").content.startswith(b"%PDF-")
    assert payout.reference in admin.get(f"/pass-numerique/releves/{payout.pk}.csv").content.decode()
    coordination = session(client, demo, "coordination")
    coordination.post(f"/pass-numerique/releves/{payout.pk}/paye/")
    assert Payout.objects.get().paid_at is not None and ledger_check.problems() == []
    assert session(client, demo, "association").get(f"/pass-numerique/releves/{payout.pk}.pdf").status_code == 404


def test_the_funder_sees_hours_and_groups_of_five_or_more_only(client, demo, program, library):
    place = library.places.filter(pass_programs=program).first()
    for handed in Pass.objects.filter(status=PassStatus.HANDED_OUT)[:3]:  # the demo's one person, 3 uses
        services.redeem(handed.code, place=place, service="individual", by=demo.user("mediateur"))

    def report():
        funder = session(client, demo, "financeur")
        page = funder.get(f"/pass-numerique/programmes/{program.pk}/").content.decode()
        return page, funder.get(f"/pass-numerique/programmes/{program.pk}/bilan.csv").content.decode()

    page, csv_text = report()
    assert "heures d’accompagnement financées" in page or "heures d'accompagnement financées" in page
    # "3 passes used, 3 hours" would be one person's: hidden, with the people they were handed out to.
    assert "Non affiché : concerne moins de 5 personnes." in page and "remis à moins de 5 personnes" in page
    assert "heures_financees;;<5" in csv_text and "personnes;;<5" in csv_text

    ccas = Organization.objects.get(name="CCAS de Cholet")
    booklets = ccas.pass_booklets.order_by("number")
    # Five more people, two passes each, one used: every fate of the passes is about 5 people or more.
    for booklet, first in [(booklet, first) for booklet in booklets for first in (1, 3)][:5]:
        services.hand_out(booklet, distributor=ccas, by=demo.user("ccas"), positions=[first, first + 1])
        given = booklet.passes.get(position=first)
        services.redeem(given.code, place=place, service="individual", by=demo.user("mediateur"))
    page, csv_text = report()
    assert "indicateur;groupe;valeur" in csv_text and "heures_financees;;8.0" in csv_text
    assert "personnes;;6" in csv_text and "remis à 6 personnes" in page and "pass_utilises;;8" in csv_text


def test_the_daily_upkeep_warns_before_expiry_then_expires_and_refunds(
    demo, program, django_capture_on_commit_callbacks
):
    warn_day = program.expires_on - datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        lines = upkeep.run(act=True, today=warn_day)
    assert any("ends in 30 days" in line for line in lines)
    recipients = {address for message in mail.outbox for address in message.to}
    assert demo.user("financeur").email in recipients and demo.user("ccas").email in recipients
    assert all("se termine dans 30 jours" in message.subject for message in mail.outbox)
    upkeep.run(act=True, today=program.expires_on + datetime.timedelta(days=1))
    assert not Pass.objects.exclude(status=PassStatus.EXPIRED).exists()
    page = verified_session(Client(), demo.user("financeur")).get(f"/pass-numerique/programmes/{program.pk}/")
    assert "AV-000001" in page.content.decode()
    assert ledger_check.problems() == []
    call_command("pass_upkeep")  # dry run by default: nothing left to do, nothing done


def test_the_coordination_qualifies_places_and_nobody_else_can(client, demo, program):
    kept = program.qualified_places.order_by("pk").first()
    assert program.qualified_places.count() > 1
    url = f"/pass-numerique/programmes/{program.pk}/lieux/"
    coordination = session(client, demo, "coordination")
    coordination.post(url, {"places": [kept.pk]})
    assert list(program.qualified_places.all()) == [kept]
    assert session(client, demo, "admin").get(url).status_code == 404


def test_a_funders_report_counts_people_and_hides_a_lone_small_group_with_another(client, demo, program, library):
    from maillage.passes import reports
    from maillage.territory.models import Commune

    ccas = Organization.objects.get(name="CCAS de Cholet")
    angers, cholet = Commune.objects.get(pk="49007"), Commune.objects.get(pk="49099")
    booklets = list(ccas.pass_booklets.order_by("number"))
    for booklet in booklets[:2]:  # two people in Cholet, a whole booklet each
        services.hand_out(booklet, distributor=ccas, by=demo.user("ccas"), commune=cholet)
    by_commune = {row.label: row for row in reports.program_report(program)["by_commune"]}
    assert by_commune["Cholet"].count == 2 and not by_commune["Cholet"].shown  # 20 passes, but 2 people
    # The demo's one handover in Angers is hidden too: alone, it could be read as the total minus the rest.
    assert not by_commune["Angers"].shown
    people = reports.program_report(program)["people"]
    assert (people.value, people.shown) == (3, False) and angers  # 3 people: "fewer than 5"


def test_a_viewer_of_a_distributor_cannot_print_live_codes_and_prints_are_journaled(client, demo, program):
    from maillage.accounts.models import AuditEvent

    booklet = Organization.objects.get(name="Médiathèque Toussaint").pass_booklets.first()
    assert session(client, demo, "observateur").get(f"/pass-numerique/carnets/{booklet.pk}.pdf").status_code == 404
    assert session(client, demo, "mediateur").get(f"/pass-numerique/carnets/{booklet.pk}.pdf").status_code == 200
    assert AuditEvent.objects.filter(action="export", target_id=str(booklet.pk), actor=demo.user("mediateur")).exists()


def test_an_order_form_sent_again_after_back_says_which_order_stands(client, demo, departement, program):
    make_funder_admin(demo, departement)
    funder = session(client, demo, "financeur")
    url = f"/pass-numerique/programmes/{program.pk}/commander/"
    funder.post(url, {"pass_count": "10", "booklet_size": "10", "submission_key": "z" * 32})
    page = funder.post(url, {"pass_count": "500", "booklet_size": "10", "submission_key": "z" * 32}, follow=True)
    assert "avait déjà été envoyé" in page.content.decode()
    assert program.orders.filter(pass_count=500).count() == 0


def test_a_till_form_that_failed_comes_back_with_a_new_key(client, demo, program, library):
    mediator = session(client, demo, "mediateur")
    place = library.places.filter(pass_programs=program).first()
    page = mediator.post(
        "/pass-numerique/encaisser/",
        {"service": "individual", "place": place.pk, "idempotency_key": "k" * 32, "code": "bonjour"},
    )
    assert 'value="' + "k" * 32 + '"' not in page.content.decode()


def test_the_expiry_warning_is_caught_up_when_the_job_missed_its_day(demo, program, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upkeep.run(act=True, today=program.expires_on - datetime.timedelta(days=28))  # J-30 was missed
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        upkeep.run(act=True, today=program.expires_on - datetime.timedelta(days=27))
    assert sent and len(mail.outbox) == sent  # once per person and alert


def test_a_year_after_expiry_the_handovers_details_are_erased(demo, program):
    from maillage.passes.models import Handover

    upkeep.run(act=True, today=program.expires_on + datetime.timedelta(days=1))
    assert Handover.objects.exclude(age_band="").exists()
    upkeep.run(act=True, today=program.expires_on + datetime.timedelta(days=366))
    assert not Handover.objects.exclude(age_band="", public="", commune=None).exists()


def test_the_till_proposes_the_place_the_member_used_last_and_otherwise_asks(client, demo, program, library):
    """The till took a pass at the organisation's first place by name, a place nobody chose."""
    from tests.places.factories import new_place

    usual = library.places.filter(pass_programs=program).first()
    annex = new_place(library, name="Annexe Belle-Beille", commune_name="Angers")
    program.qualified_places.add(annex)
    handed = Pass.objects.filter(status=PassStatus.HANDED_OUT).order_by("position")
    mediator = session(client, demo, "mediateur")

    till = mediator.get("/pass-numerique/encaisser/").content.decode()
    assert '<option value="" selected>— Choisir —</option>' in till
    assert f'value="{usual.pk}" selected' not in till and f'value="{annex.pk}" selected' not in till
    form = {"service": "individual", "idempotency_key": "d" * 32, "code": handed[0].code}
    page = mediator.post("/pass-numerique/encaisser/", form).content.decode()
    assert "Choisissez un lieu." in page and handed[0].code in page and not Redemption.objects.exists()

    mediator.post("/pass-numerique/encaisser/", {**form, "place": annex.pk})
    assert Redemption.objects.get().place == annex
    assert f'<option value="{annex.pk}" selected>' in mediator.get("/pass-numerique/encaisser/").content.decode()


def test_the_funder_reads_the_results_before_the_orders_and_the_list_of_places(client, demo, program):
    """The figures sat below a list of 71 places."""
    page = session(client, demo, "financeur").get(f"/pass-numerique/programmes/{program.pk}/").content.decode()
    main = page.split("<main")[1]
    assert main.index("<h2>Résultats</h2>") < main.index("<h2>Commandes</h2>") < main.index("lieux acceptent les pass")
    assert "<details" in main.split("lieux acceptent les pass")[0].rsplit("<h2>", 1)[1]  # the long list is folded


def test_the_booklet_the_readme_names_was_handed_out_in_the_demo(demo, program):
    """The README's demo steps named a booklet still in stock."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    label = re.search(r"booklet \*\*(\d{5}-\d{4})\*\* was handed out", readme).group(1)
    # 00001: the demo's first order (a fresh install numbers it 1; here, other tests' orders came first).
    order_number, booklet_number = label.split("-")
    first_order = FundingOrder.objects.filter(program=program).order_by("pk").first()
    assert order_number == "00001" and first_order.funder_reference == "BC-2026-17"
    booklet = first_order.booklets.get(number=int(booklet_number))
    assert booklet.passes.exists() and not booklet.passes.exclude(status=PassStatus.HANDED_OUT).exists()
    assert booklet.commune.name == "Angers"
