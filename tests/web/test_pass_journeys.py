"""Issue 5's journey in a real Chromium with JavaScript off. (The Pass numérique pages of the funder,
the coordination and a distributor are checked by the crawler, as its personas.)"""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts.demo import demo_email
from maillage.accounts.models import Organization, User
from maillage.passes import codes, ledger_check
from maillage.passes.models import FundingOrder, Pass, PassProgram, PassStatus, Payout, Redemption
from tests.conftest import session_cookie_for

pytestmark = pytest.mark.browser


def _page_of(browser, live_world, local_part, javascript=False):
    context = browser.new_context(java_script_enabled=javascript)
    user = User.objects.get(email=demo_email(local_part))
    context.add_cookies([{**session_cookie_for(user), "url": live_world.url}])
    return context, context.new_page()


def _click(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_from_a_funders_programme_to_a_places_statement(live_world, browser, demo):
    url = live_world.url
    funder_user = User.objects.get(email=demo_email("financeur"))
    departement = Organization.objects.get(name="Département de Maine-et-Loire")
    funder_user.memberships.filter(organization=departement).update(role="admin")
    TOTPDevice.objects.get_or_create(user=funder_user, name="authenticator", defaults={"confirmed": True})
    library = Organization.objects.get(name="Médiathèque Toussaint")
    place = library.places.order_by("pk").first()

    # The funder creates a programme and orders 10 passes in one booklet.
    context, page = _page_of(browser, live_world, "financeur")
    page.goto(url + "/pass-numerique/")
    with page.expect_navigation():
        page.get_by_role("link", name="Créer un programme").click()
    page.get_by_label("Nom du programme").fill("Pass numérique Angers 2027")
    page.get_by_label("Les pass sont utilisables à partir du").fill("1/1/2026")
    page.get_by_label("Jusqu’au").fill("31/12/2027")
    page.get_by_label(place.name).first.check()
    _click(page, "Créer le programme")
    assert "Le programme est créé" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="Commander des pass").click()
    page.get_by_label("Combien de pass ?").fill("10")
    _click(page, "Commander")
    program = PassProgram.objects.get(name="Pass numérique Angers 2027")
    order = FundingOrder.objects.get(program=program)
    assert "en attente" in page.content() and set(order.booklets.get().passes.values_list("status", flat=True)) == {
        PassStatus.ORDERED
    }
    context.close()

    # The coordination receives the payment and gives the booklet to the CCAS.
    context, page = _page_of(browser, live_world, "coordination")
    page.goto(url + f"/pass-numerique/programmes/{program.pk}/")
    _click(page, f"Paiement de {order.reference} reçu")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Confier des carnets — {order.reference}").click()
    page.get_by_label("Distributeur").select_option(label="CCAS de Cholet")
    page.get_by_label("Commune où ils seront distribués").fill("Angers (49000)")
    _click(page, "Confier les carnets")
    context.close()

    # The CCAS prints the booklet and hands it to a person, recording no name.
    context, page = _page_of(browser, live_world, "ccas")
    booklet = order.booklets.get()
    pdf = context.request.get(url + f"/pass-numerique/carnets/{booklet.pk}.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    page.goto(url + "/pass-numerique/carnets/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Remettre — {booklet.label}").click()
    page.get_by_label("75 ans ou plus").check()
    _click(page, "Enregistrer la remise")
    assert "10 pass sont remis" in page.content()
    context.close()

    # A mediator of the place types two codes; the first one with a typo, caught.
    first, second = booklet.passes.order_by("position")[:2]
    context, page = _page_of(browser, live_world, "mediateur")
    page.goto(url + "/pass-numerique/encaisser/")
    typo = first.code[:4] + ("Z" if first.code[4] != "Z" else "Y") + first.code[5:]
    page.get_by_label("Code du pass").fill(codes.display(typo))
    if page.get_by_label("Dans quel lieu ?").count():
        page.get_by_label("Dans quel lieu ?").select_option(str(place.pk))
    _click(page, "Utiliser le pass")
    assert "faute de frappe" in page.content() and page.get_by_label("Code du pass").input_value() == codes.display(
        typo
    )
    assert not Redemption.objects.exists()
    page.get_by_label("Code du pass").fill(codes.display(first.code))
    _click(page, "Utiliser le pass")
    assert "1 pass est utilisé" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="Encaisser un autre pass").click()
    page.get_by_label("Code du pass").fill(second.code.lower())
    page.get_by_label("Atelier collectif").check()
    _click(page, "Utiliser le pass")
    assert Redemption.objects.filter(program=program).count() == 2
    context.close()

    # Month end: the coordination prepares last month's statements.
    last_month = timezone.now() - datetime.timedelta(days=timezone.localdate().day + 1)
    Redemption.objects.filter(program=program).update(redeemed_at=last_month)
    context, page = _page_of(browser, live_world, "coordination")
    page.goto(url + "/pass-numerique/releves/")
    page.get_by_role("button", name="Préparer les relevés").click()
    page.wait_for_load_state()
    payout = Payout.objects.get(place=place)
    assert payout.total_cents == 2000 and payout.reference in page.content()
    statement = context.request.get(url + f"/pass-numerique/releves/{payout.pk}.pdf")
    assert statement.body().startswith(b"%PDF-")
    context.close()
    assert set(Pass.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"in_payout"}
    assert ledger_check.problems() == []


ROLES = {"coordinator": "coordination", "funder": "financeur", "distributor": "ccas"}
