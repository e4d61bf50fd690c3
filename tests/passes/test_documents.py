"""Booklets, statements and bank files of the Pass numérique: what is printed, exported and sent to the bank."""

import csv
import datetime
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import override
from reportlab.lib.units import mm

from maillage import formatting
from maillage.passes import codes, services
from maillage.passes.documents import csv_files, sepa
from maillage.passes.documents import pdf as printed
from maillage.passes.documents.content import MissingBankDetails
from maillage.passes.models import Payout, Service
from maillage.places.models import Place
from maillage.territory.models import Commune
from tests.accounts.factories import OrganizationFactory
from tests.passes.factories import handed_out_booklet, pass_world, with_bank_details
from tests.places.factories import new_place

pytestmark = pytest.mark.django_db

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "FR1420041010050500013M02606"


def in_pdf(text):
    """``text`` as reportlab writes it in an uncompressed page: Windows-1252, escaped, non-ASCII bytes in octal.

    reportlab prints a no-break space as a plain space.
    """
    raw = text.replace("\u00a0", " ").encode("cp1252")
    raw = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return re.sub(rb"[\x80-\xff]", lambda match: b"\\%03o" % match.group()[0], raw)


def page_count(pdf):
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


@pytest.fixture
def world():
    return pass_world()


def french_labels():
    """The services' labels in the French catalogue (documents are French whatever the visitor's language)."""
    kinds = (Service.INDIVIDUAL, Service.WORKSHOP, Service.COURSE)
    with override("fr"):
        labels = [str(kind.label) for kind in kinds]
    with override("en"):
        assert labels != [str(kind.label) for kind in kinds]  # translated, or the test would prove nothing
    return labels


def test_amounts_dates_and_durations_are_written_in_french_whatever_the_system_locale():
    assert formatting.euros(5) == "0,05\u00a0€" and formatting.euros(123456789) == "1\u00a0234\u00a0567,89\u00a0€"
    assert printed.french_date(datetime.date(2027, 12, 31)) == "31 décembre 2027"
    assert printed.french_date(datetime.date(2027, 1, 1)) == "1er janvier 2027"
    assert printed.french_month(datetime.date(2026, 10, 1)) == "octobre 2026"
    # A moment is dated where the territory is: 23:30 UTC on 31 October is already November in Paris.
    late = datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC)
    assert printed.french_date(late) == "1er novembre 2026"
    assert [printed.duration_words(m) for m in (30, 60, 90, 120, 1)] == [
        "30\u00a0minutes",
        "1\u00a0heure",
        "1\u00a0heure 30\u00a0minutes",
        "2\u00a0heures",
        "1\u00a0minute",
    ]
    assert formatting.phone_display("+33241000000") == "02 41 00 00 00"
    assert printed.mask_iban(IBAN) == "**** **** **** **** **** ***0 189"
    assert sepa.sepa_text("Médiathèque d’Angers & Cœur_de_ville ✓") == "Mediatheque d'Angers et Coeur-de-ville"


class RecordingCanvas:
    """Just enough of a reportlab canvas to count the squares ``draw_qr`` fills."""

    def __init__(self):
        self.squares, self.fills = [], 0

    def beginPath(self):
        return self

    def rect(self, x, y, width, height):
        self.squares.append((x, y, width, height))

    def drawPath(self, path, stroke, fill, fillMode):
        self.fills += fill

    def saveState(self):
        pass

    def restoreState(self):
        pass

    def setFillColor(self, color):
        pass


def test_the_qr_code_drawn_is_segnos_symbol_of_the_payload_module_for_module():
    payload = codes.qr_payload(codes.new_code())
    symbol = segno.make(payload, error="m", micro=False)
    width, dark = printed.qr_modules(payload)
    expected = {(column, row) for row, line in enumerate(symbol.matrix) for column, value in enumerate(line) if value}
    assert width == len(symbol.matrix) == len(symbol.matrix[0]) and set(dark) == expected

    canvas = RecordingCanvas()
    drawn = printed.draw_qr(canvas, payload, 10, 20, printed.QR_SIZE)
    assert drawn == len(canvas.squares) == sum(sum(line) for line in symbol.matrix) and canvas.fills == 1
    module = printed.QR_SIZE / width
    assert 25 * mm <= printed.QR_SIZE
    assert all(x >= 10 and x + module <= 10 + printed.QR_SIZE + 1e-6 for x, _y, _w, _h in canvas.squares)
    assert all(y >= 20 and y + module <= 20 + printed.QR_SIZE + 1e-6 for _x, y, _w, _h in canvas.squares)
    # Row 0 of the matrix is the top of the symbol: the top left finder pattern's corner is drawn top left.
    assert (10, 20 + (width - 1) * module, module, module) in canvas.squares


def test_a_booklet_prints_a_cover_in_plain_french_then_every_pass_as_a_ticket_with_its_code(world):
    booklet = handed_out_booklet(world)
    pdf = printed.booklet_pdf([booklet], compress=False)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1 + 2  # the cover, then ten tickets five to a page
    assert re.search(rb"/Title \(Pass num\\351rique \\204 carnet " + booklet.label.encode() + rb"\)", pdf)

    program = world.program
    for sentence in [
        "Votre Pass numérique",
        "Ce carnet vous donne droit à un accompagnement au numérique.",
        "Montrez ce pass dans un lieu de la liste.",
        "Le lieu garde le pass.",
        "C'est gratuit pour vous.",
        "Un pass = 1 heure d'accompagnement.",
        f"Valable jusqu'au {printed.french_date(program.ends_on)}.",
        f"Carnet n° {booklet.label}",
        "Financé par : Département",
        "Ce carnet contient 10 pass.",
        f"Appelez le {formatting.phone_display(settings.HELP_PHONE_NUMBER)}",
        settings.HELP_PHONE_HOURS or "Du lundi au vendredi, de 9 h à 18 h",
        "Espace numérique",
        "49100 Angers",
    ]:
        assert in_pdf(sentence) in pdf, sentence
    courier = re.search(rb"/BaseFont /Courier-Bold [^>]*/Name /(F\d+)", pdf).group(1)
    for item in booklet.passes.all():
        # The code in large monospace type: Courier-Bold, at least 18 points, set just before the code is drawn.
        drawn = rb"BT /%s (\d+) Tf [^\n]*\nBT [^(]*\(%s\) Tj" % (courier, re.escape(in_pdf(codes.display(item.code))))
        assert int(re.search(drawn, pdf).group(1)) >= 18
        assert in_pdf(f"Pass n° {item.position} / 10") in pdf
    assert pdf.count(in_pdf("Montrez ce pass dans un lieu de la liste.")) == 1 + 10


def test_the_cover_lists_the_eight_published_qualified_places_nearest_to_the_booklets_commune(world):
    angers = Commune.objects.create(
        insee_code="49007", name="Angers", department_code="49", latitude=47.47, longitude=-0.55
    )
    # Named in the reverse order of their distance: the nearest comes first although its name comes last.
    by_distance = [
        new_place(
            world.operator,
            name=f"Lieu {letter}",
            latitude=47.47 + 0.01 * (index + 1),
            longitude=-0.55,
            phone="+3324100000" + str(index),
        )
        for index, letter in enumerate("JIHGFEDCBA")
    ]
    world.program.qualified_places.add(*by_distance)
    draft = new_place(world.operator, name="Lieu brouillon", latitude=47.47, longitude=-0.55, status=Place.Status.DRAFT)
    world.program.qualified_places.add(draft)
    outside = new_place(world.operator, name="Lieu hors programme", latitude=47.47, longitude=-0.55)

    assert printed.nearest_places(world.program, angers) == by_distance[:8]
    # Without a commune, the first ones by name: the world's place has no coordinates but comes first.
    by_name = ["Espace numérique", *(f"Lieu {letter}" for letter in "ABCDEFG")]
    assert [place.name for place in printed.nearest_places(world.program)] == by_name

    booklet = handed_out_booklet(world)
    booklet.commune = angers
    booklet.save()
    pdf = printed.booklet_pdf([booklet], compress=False)
    assert page_count(pdf) == 1 + 2  # eight places still fit on the cover
    assert in_pdf("Voici les lieux les plus proches, près d’Angers.") in pdf
    assert in_pdf("À 1 km") in pdf and in_pdf("À 9 km") in pdf  # each place says how far it is
    for place in by_distance[:8]:
        assert in_pdf(place.name) in pdf
    assert in_pdf("Tél. 02 41 00 00 00") in pdf  # the nearest place's phone, nationally
    for absent in [*by_distance[8:], draft, world.place, outside]:
        assert in_pdf(absent.name) not in pdf

    given = printed.booklet_pdf([booklet], nearby_places={booklet.pk: [by_distance[9]]}, compress=False)
    assert in_pdf("Lieu A") in given and in_pdf("Lieu J") not in given


def test_a_cover_far_from_every_place_says_so_plainly_and_still_says_how_far(world):
    """A booklet handed out in Cholet told people to go "près de Cholet" and listed places in Angers."""
    cholet = Commune.objects.create(
        insee_code="49099", name="Cholet", department_code="49", latitude=47.06, longitude=-0.88
    )
    in_angers = new_place(world.operator, name="Médiathèque d'Angers", latitude=47.47, longitude=-0.55)
    world.program.qualified_places.add(in_angers)
    booklet = handed_out_booklet(world)
    booklet.commune = cholet
    booklet.save()
    pdf = printed.booklet_pdf([booklet], compress=False)
    assert in_pdf("Aucun lieu de la liste n'est près de Cholet : le plus proche est à 52 km.") in pdf
    assert in_pdf("Voici les lieux les plus proches") not in pdf and in_pdf("À 52 km") in pdf


def test_the_cover_stays_one_page_whatever_the_length_of_names_and_addresses():
    long = "Espace public numérique intercommunal et France services du centre social " * 2
    world = pass_world()
    world.program.name = long[:150]
    world.program.save()
    for index in range(8):
        world.program.qualified_places.add(
            new_place(
                world.operator, name=f"{index} {long}", address=long, address_complement=long, phone="+33241000000"
            )
        )
    pdf = printed.booklet_pdf([handed_out_booklet(world)], compress=False)
    assert page_count(pdf) == 1 + 2 and in_pdf("Appelez le") in pdf


def test_several_booklets_make_one_pdf_and_a_short_last_booklet_counts_its_own_passes(world):
    order = services.order_passes(world.program, pass_count=7, booklet_size=5, by=world.funder_member)
    booklets = list(order.booklets.order_by("number"))
    pdf = printed.booklet_pdf(booklets, compress=False)
    assert page_count(pdf) == 2 * (1 + 1)
    assert re.search(rb"/Title \(Pass num\\351rique \\204 2 carnets\)", pdf)
    for booklet in booklets:
        assert in_pdf(f"Carnet n° {booklet.label}") in pdf
    for item in order.booklets.get(number=2).passes.all():
        assert in_pdf(f"Pass n° {item.position} / 2") in pdf and in_pdf(codes.display(item.code)) in pdf
    assert in_pdf("Ce carnet contient 5 pass.") in pdf and in_pdf("Ce carnet contient 2 pass.") in pdf
    assert printed.booklet_pdf(booklets).startswith(b"%PDF-")  # compressed, as served


def test_the_cover_says_what_a_pass_is_worth_in_hours_and_minutes():
    world = pass_world(minutes_per_pass=90)
    pdf = printed.booklet_pdf([handed_out_booklet(world, pass_count=5, booklet_size=5)], compress=False)
    assert in_pdf("Un pass = 1 heure 30 minutes d'accompagnement.") in pdf
    without = pass_world(minutes_per_pass=None)
    assert b"Un pass =" not in printed.booklet_pdf([handed_out_booklet(without)], compress=False)


def month_of_redemptions(world):
    """Three redemptions at the world's place this month (1 + 1 + 3 passes), in one statement."""
    booklet = handed_out_booklet(world)
    for position, service in [(1, Service.INDIVIDUAL), (2, Service.WORKSHOP), (3, Service.COURSE)]:
        services.redeem(
            booklet.passes.get(position=position).code, place=world.place, service=service, by=world.mediator
        )
    [payout] = services.create_payouts(timezone.localdate())
    return payout


def test_a_statement_lists_each_redemption_with_its_french_label_and_adds_them_up(world):
    payout = month_of_redemptions(world)
    with_bank_details(world.operator, holder="Médiathèque", iban=IBAN, bic="AGRIFRPP")
    with override("en"):
        pdf = printed.statement_pdf(payout, compress=False)
    assert pdf.startswith(b"%PDF-") and page_count(pdf) == 1
    today = timezone.localdate()
    labels = french_labels()
    for text in [
        "Relevé de remboursement Pass numérique",
        payout.reference,
        printed.french_month(today),
        "Émis le",
        printed.french_date(today),
        "Espace numérique, 49100 Angers",
        "Médiathèque",
        f"{today:%d/%m/%Y}",
        "Pass numérique 2026",
        *labels,
        "10,00\u00a0€",
        "30,00\u00a0€",
        "Montant total : 50,00\u00a0€",
        "Nombre de pass : 5",
        "Temps d'accompagnement : 5\u00a0heures",
        "**** **** **** **** **** ***0 189",
        "AGRIFRPP",
    ]:
        assert in_pdf(text) in pdf, text
    assert IBAN.encode() not in pdf and b"Pay\\351 le" not in pdf

    services.mark_payout_paid(payout, by=world.coordinator)
    paid = printed.statement_pdf(Payout.objects.get(pk=payout.pk), compress=False)
    assert in_pdf(f"Payé le {printed.french_date(timezone.localdate())}") in paid


def test_a_statement_without_bank_details_says_the_transfer_cannot_leave(world):
    pdf = printed.statement_pdf(month_of_redemptions(world), compress=False)
    assert in_pdf("Coordonnées bancaires non renseignées") in pdf


def test_a_statement_whose_lines_do_not_add_up_is_refused(world):
    payout = month_of_redemptions(world)
    Payout.objects.filter(pk=payout.pk).update(total_cents=payout.total_cents + 1)
    with pytest.raises(ValueError, match=payout.reference):
        printed.statement_pdf(payout)


def test_the_statement_csv_has_one_machine_readable_row_per_redemption(world):
    payout = month_of_redemptions(world)
    world.program.name = "=HYPERLINK(1)"  # a spreadsheet must show it, never run it
    world.program.save()
    with override("en"):
        rows = list(csv.reader(csv_files.statement_csv(payout).splitlines(), delimiter=";"))
    assert rows[0] == ["releve", "date", "programme", "prestation", "pass", "montant_euros", "minutes"]
    today = timezone.localdate().isoformat()
    individual, workshop, course = french_labels()
    assert rows[1:] == [
        [payout.reference, today, "'=HYPERLINK(1)", individual, "1", "10.00", "60"],
        [payout.reference, today, "'=HYPERLINK(1)", workshop, "1", "10.00", "60"],
        [payout.reference, today, "'=HYPERLINK(1)", course, "3", "30.00", "180"],
    ]
    no_minutes = pass_world(minutes_per_pass=None)
    other = month_of_redemptions(no_minutes)
    assert [row[-1] for row in csv.reader(csv_files.statement_csv(other).splitlines(), delimiter=";")][1:] == [""] * 3


def two_payouts(world):
    """Two statements this month: the world's place (40,20 €) and another organisation's (10,05 €)."""
    other_organization = OrganizationFactory(name="Association Éloi & Cie")
    other_place = new_place(other_organization, name="Point numérique")
    world.program.qualified_places.add(other_place)
    booklet = handed_out_booklet(world)
    services.redeem(booklet.passes.get(position=1).code, place=world.place, service="individual", by=world.mediator)
    services.redeem(booklet.passes.get(position=2).code, place=world.place, service="course", by=world.mediator)
    services.redeem(booklet.passes.get(position=5).code, place=other_place, service="workshop", by=world.mediator)
    first, second = services.create_payouts(timezone.localdate())
    assert (first.place, first.total_cents, second.place, second.total_cents) == (world.place, 4020, other_place, 1005)
    return first, second, other_organization


@pytest.fixture
def odd_world():
    """Passes worth 10,05 €: sums of them are where floats lose cents."""
    return pass_world(face_value_cents=1005)


def test_the_bank_csv_pays_each_statement_to_its_organisation_and_refuses_without_bank_details(odd_world):
    first, second, other_organization = two_payouts(odd_world)
    with_bank_details(odd_world.operator, holder="Médiathèque d'Angers", iban=IBAN, bic="AGRIFRPP")
    with pytest.raises(MissingBankDetails) as missing:
        csv_files.bank_transfers_csv([first, second])
    assert missing.value.organizations == [other_organization] and missing.value.places == []
    assert str(missing.value) == "Association Éloi & Cie"  # the pages put it in a sentence of their own

    with_bank_details(other_organization, holder="Association Éloi & Cie", iban="fr14 2004 1010 0505 0001 3M02 606")
    rows = list(csv.reader(csv_files.bank_transfers_csv([first, second]).splitlines(), delimiter=";"))
    month = timezone.localdate().strftime("%Y-%m")
    assert rows == [
        ["releve", "beneficiaire", "iban", "bic", "montant_euros", "libelle"],
        [
            first.reference,
            "Mediatheque d'Angers",
            IBAN,
            "AGRIFRPP",
            "40.20",
            f"Pass numerique {first.reference} {month}",
        ],
        [
            second.reference,
            "Association Eloi et Cie",
            OTHER_IBAN,
            "",
            "10.05",
            f"Pass numerique {second.reference} {month}",
        ],
    ]
    assert all(row[-1].isascii() and len(row[-1]) <= 140 for row in rows)

    Place.objects.filter(pk=second.place_id).update(organization=None)
    with pytest.raises(MissingBankDetails) as missing:
        csv_files.bank_transfers_csv([first, second])
    assert missing.value.organizations == [] and missing.value.places == [second.place]


def test_the_sepa_file_is_a_pain_001_001_03_credit_transfer_that_adds_up_to_the_cent(odd_world):
    first, second, other_organization = two_payouts(odd_world)
    with_bank_details(odd_world.operator, holder="Médiathèque d'Angers", iban=IBAN, bic="AGRIFRPP")
    arguments = {
        "debtor_name": "Coordination numérique de Maine-et-Loire",
        "debtor_iban": "FR76 3000 4000 0312 3456 7890 143",
        "debtor_bic": "BNPAFRPP",
        "message_id": "PASS-2026-10-0001",
        "execution_date": datetime.date(2026, 11, 5),
    }
    with pytest.raises(MissingBankDetails):
        sepa.sepa_credit_transfer_xml([first, second], **arguments)
    for wrong in ("", "PASS_2026_10", "X" * 36):  # never altered behind the caller's back: refused
        with pytest.raises(ValueError, match="message id"):
            sepa.sepa_credit_transfer_xml([first], **{**arguments, "message_id": wrong})
    with_bank_details(other_organization, holder="Association Éloi", iban=OTHER_IBAN)

    xml = sepa.sepa_credit_transfer_xml([first, second], **arguments)
    assert xml.startswith(b"<?xml") and b"encoding='UTF-8'" in xml.split(b"\n")[0]
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}Document"
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    batch = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert header.findtext("p:MsgId", namespaces=NS) == "PASS-2026-10-0001"
    assert header.findtext("p:NbOfTxs", namespaces=NS) == batch.findtext("p:NbOfTxs", namespaces=NS) == "2"
    assert header.findtext("p:CtrlSum", namespaces=NS) == batch.findtext("p:CtrlSum", namespaces=NS) == "50.25"
    assert header.findtext("p:InitgPty/p:Nm", namespaces=NS) == "Coordination numerique de Maine-et-Loire"
    # In the order the schema requires.
    assert [child.tag.split("}")[1] for child in batch][:11] == [
        "PmtInfId",
        "PmtMtd",
        "NbOfTxs",
        "CtrlSum",
        "PmtTpInf",
        "ReqdExctnDt",
        "Dbtr",
        "DbtrAcct",
        "DbtrAgt",
        "ChrgBr",
        "CdtTrfTxInf",
    ]
    assert batch.findtext("p:PmtMtd", namespaces=NS) == "TRF"
    assert batch.findtext("p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) == "SEPA"
    assert batch.findtext("p:ReqdExctnDt", namespaces=NS) == "2026-11-05"
    assert batch.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "FR7630004000031234567890143"
    assert batch.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "BNPAFRPP"
    assert batch.findtext("p:ChrgBr", namespaces=NS) == "SLEV"

    transfers = batch.findall("p:CdtTrfTxInf", NS)
    amounts = [transfer.find("p:Amt/p:InstdAmt", NS) for transfer in transfers]
    assert [amount.text for amount in amounts] == ["40.20", "10.05"] and {a.get("Ccy") for a in amounts} == {"EUR"}
    assert sum(Decimal(amount.text) for amount in amounts) == Decimal(header.findtext("p:CtrlSum", namespaces=NS))
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in transfers] == [first.reference, second.reference]
    assert [t.findtext("p:Cdtr/p:Nm", namespaces=NS) for t in transfers] == ["Mediatheque d'Angers", "Association Eloi"]
    assert [t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) for t in transfers] == [IBAN, OTHER_IBAN]
    assert transfers[0].findtext("p:CdtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "AGRIFRPP"
    assert transfers[1].find("p:CdtrAgt", NS) is None  # IBAN only: the BIC is optional within SEPA
    assert transfers[0].findtext("p:RmtInf/p:Ustrd", namespaces=NS) == sepa.transfer_label(first)
    assert xml.decode("utf-8").isascii()


def test_a_cover_with_a_place_near_lists_only_the_near_ones(world):
    cholet = Commune.objects.create(
        insee_code="49099", name="Cholet", department_code="49", latitude=47.06, longitude=-0.88
    )
    near = new_place(world.operator, name="CCAS de Cholet", latitude=47.057, longitude=-0.879)
    far = new_place(world.operator, name="Médiathèque d'Angers", latitude=47.47, longitude=-0.55)
    world.program.qualified_places.add(near, far)
    booklet = handed_out_booklet(world)
    booklet.commune = cholet
    booklet.save()
    pdf = printed.booklet_pdf([booklet], compress=False)
    assert in_pdf("Voici les lieux les plus proches, près de Cholet.") in pdf and in_pdf("CCAS de Cholet") in pdf
    assert in_pdf("À moins d'1 km") in pdf and in_pdf("Médiathèque d'Angers") not in pdf


def test_a_place_located_by_its_commune_is_near_and_a_cover_without_positions_promises_no_distance(world):
    cholet = Commune.objects.create(
        insee_code="49099", name="Cholet", department_code="49", latitude=47.06, longitude=-0.88
    )
    in_cholet = new_place(world.operator, name="CCAS de Cholet", commune=cholet)  # no position of its own
    world.program.qualified_places.add(in_cholet)
    booklet = handed_out_booklet(world)
    booklet.commune = cholet
    booklet.save()
    pdf = printed.booklet_pdf([booklet], compress=False)
    assert in_pdf("CCAS de Cholet") in pdf and in_pdf("À moins d'1 km") in pdf

    nowhere = printed.booklet_pdf([booklet], nearby_places={booklet.pk: [world.place]}, compress=False)
    assert in_pdf("Voici des lieux où aller.") in nowhere and b"? km" not in nowhere
