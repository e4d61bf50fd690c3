"""The Pass numérique's PDFs: printable booklets and monthly statements.

- ``booklet_pdf``: for each booklet, a cover page in easy-to-read French (what the pass is for,
  until when, the help line, the nearest qualified places), then its passes as cut-out tickets
  with a QR code and the code in large type;
- ``statement_pdf``: a place's monthly statement, to send to its organisation and keep.

PDFs are drawn with reportlab: pure Python, the standard PDF fonts (Helvetica, Courier), no system
library (no Cairo, Pango or font files) and nothing fetched from the network, so any server or CI
runner can print. QR codes are computed by segno and drawn as vector squares, which stay sharp
whatever the printer. The standard fonts only know Windows-1252, so every text goes through
``_printable`` first. Printed text is French on purpose (these are paper documents for people in
France); the strings are constants below so they are easy to find and reword.
"""

import io
import unicodedata
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import FILL_NON_ZERO
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from maillage import formatting
from maillage.formatting import NBSP, euros, phone_display
from maillage.passes import codes
from maillage.passes.documents.content import bank_details_of, compact, local_date, statement_lines
from maillage.passes.models import Booklet, Pass, Payout
from maillage.places.models import Place
from maillage.territory.distance import distance_km

# Printed French -----------------------------------------------------------------------------------

BOOKLET_DOCUMENT_TITLE = "Pass numérique — carnet {label}"
BOOKLETS_DOCUMENT_TITLE = "Pass numérique — {count} carnets"
BOOKLET_TITLE = "Votre Pass numérique"
# Easy-to-read French (FALC): short sentences, one idea each, one per line.
BOOKLET_INTRO = (
    "Ce carnet vous donne droit à un accompagnement au numérique.",
    "Par exemple : utiliser un téléphone, un ordinateur ou Internet.",
    "Montrez ce pass dans un lieu de la liste.",
    "Le lieu garde le pass.",
    "C'est gratuit pour vous.",
)
TICKET_WORTH = "Un pass = {duration} d'accompagnement."
VALID_UNTIL = "Valable jusqu'au {date}."
BOOKLET_CONTENTS = "Ce carnet contient {count} pass."
BOOKLET_NUMBER = "Carnet n° {label}"
FUNDER_LINE = "Financé par : {name}"
HELP_QUESTION = "Besoin d'aide ?"
HELP_CALL = "Appelez le {phone}"
HELP_HOURS_DEFAULT = "Du lundi au vendredi, de 9 h à 18 h"  # the site's default, as translated in the catalogue
PLACES_TITLE = "Où aller ?"
PLACES_NEAR = "Voici les lieux les plus proches, {near}."  # "près d'Angers", "près du Mans"
# None of the programme's places is near: said plainly, the nearest still listed with their distance.
PLACES_FAR = (
    "Aucun lieu de la liste n'est {near} : le plus proche est à {km} km. "
    "Appelez le numéro d'aide, on cherchera avec vous une solution plus proche."
)
PLACES_ANY = "Voici des lieux où aller."
PLACE_DISTANCE = "À {km} km"
PLACE_HERE = "À moins d'1 km"
PLACES_NONE = "Appelez le numéro d'aide. On vous dira où aller."
PLACE_PHONE = "Tél. {phone}"
TICKET_NUMBER = "Pass n° {position} / {count}"
TICKET_BOOKLET = "Carnet {label}"
TICKET_SHOW = "Montrez ce pass dans un lieu de la liste."
TICKET_VALID_UNTIL = "Valable jusqu'au {date}"
TICKET_HELP = "Aide : {phone}"

STATEMENT_TITLE = "Relevé de remboursement Pass numérique"
STATEMENT_DOCUMENT_TITLE = "Relevé de remboursement Pass numérique {reference}"
STATEMENT_REFERENCE = "Relevé n°"
STATEMENT_MONTH = "Mois"
STATEMENT_ISSUED = "Émis le"
STATEMENT_PAID = "Payé le {date}"
STATEMENT_PLACE = "Lieu"
STATEMENT_ORGANIZATION = "Structure"
STATEMENT_SIRET = "SIRET"
STATEMENT_COLUMNS = ("Date", "Programme", "Prestation", "Pass", "Montant")
STATEMENT_TOTAL = "Total"
STATEMENT_NO_LINES = "Aucun pass ce mois-ci."
STATEMENT_TOTAL_PASSES = "Nombre de pass : {count}"
STATEMENT_TOTAL_AMOUNT = "Montant total : {amount}"
STATEMENT_TOTAL_TIME = "Temps d'accompagnement : {duration}"
STATEMENT_TIME_PARTIAL = " (prestations dont la durée est connue)"
STATEMENT_BANK_TITLE = "Virement"
STATEMENT_BANK_HOLDER = "Titulaire du compte"
STATEMENT_BANK_MISSING = "Coordonnées bancaires non renseignées : le virement ne peut pas partir."
STATEMENT_FOOTER = "{reference} — page {page}"


# Layout -------------------------------------------------------------------------------------------

PAGE_MARGIN = 12 * mm
PLACES_ON_COVER = 8
NEAR_KM = 20  # farther than this, a place is not "near" for someone without a car
TICKETS_PER_PAGE = 5
QR_SIZE = 32 * mm  # the symbol without its quiet zone; phones read 25 mm and more from arm's length
QR_LEFT = 9 * mm  # leaves more than the 4-module quiet zone before the cut line
CODE_FONT = ("Courier-Bold", 20)
GREY = colors.Color(0.35, 0.35, 0.35)
LIGHT = colors.Color(0.93, 0.95, 0.98)

_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=14, leading=18, spaceAfter=2)
_STYLES = {
    "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=28, leading=34, spaceAfter=2),
    "reference": ParagraphStyle("reference", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=6),
    "subtitle": ParagraphStyle("subtitle", fontName="Helvetica-Bold", fontSize=16, leading=21, spaceAfter=8),
    "body": _BODY,
    "fact": ParagraphStyle("fact", parent=_BODY, fontName="Helvetica-Bold"),
    "help_question": ParagraphStyle(
        "help_question", fontName="Helvetica-Bold", fontSize=18, leading=24, alignment=TA_CENTER
    ),
    "help_call": ParagraphStyle("help_call", fontName="Helvetica-Bold", fontSize=24, leading=30, alignment=TA_CENTER),
    "help_hours": ParagraphStyle("help_hours", fontName="Helvetica", fontSize=14, leading=19, alignment=TA_CENTER),
    "heading": ParagraphStyle(
        "heading", fontName="Helvetica-Bold", fontSize=18, leading=23, spaceBefore=8, spaceAfter=2
    ),
    "place_name": ParagraphStyle("place_name", fontName="Helvetica-Bold", fontSize=12, leading=14.5),
    "place": ParagraphStyle("place", fontName="Helvetica", fontSize=11, leading=13.5),
    "place_distance": ParagraphStyle("place_distance", fontName="Helvetica-Bold", fontSize=11, leading=13.5),
    "cell": ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11),
    "cell_bold": ParagraphStyle("cell_bold", fontName="Helvetica-Bold", fontSize=9, leading=11),
}


# Printed French, written out ---------------------------------------------------------------------


def french_date(value):
    """``1er janvier 2027``: the pages' way (maillage.formatting), in French whatever the reader's language."""
    with translation.override("fr"):
        return formatting.day(local_date(value))


def french_month(value):
    """``octobre 2026``."""
    with translation.override("fr"):
        return formatting.month(local_date(value))


def duration_words(minutes):
    """``1 heure``, ``30 minutes``, ``1 heure 30 minutes``: whole words read more easily than ``1 h 30``."""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours}{NBSP}heure{'s' if hours > 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest}{NBSP}minute{'s' if rest > 1 else ''}")
    return " ".join(parts)


def _unbreakable(text):
    return text.replace(" ", NBSP)


def _french_spacing(text):
    """A no-break space before : ? ! ; as French typography wants, so they never start a line."""
    for mark in ":?!;":
        text = text.replace(f" {mark}", NBSP + mark)
    return text


def _printable(text):
    """The text the standard PDF fonts can show (Windows-1252).

    Other characters would come out as black boxes: accents are stripped from them when that gives
    a printable letter (ŝ → s), the rest become "?".
    """
    text = str(text).replace("\u202f", NBSP)
    out = []
    for char in text:
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                bare.encode("cp1252")
            except UnicodeEncodeError:
                bare = "?"
            out.append(bare or "?")
        else:
            out.append(char)
    return "".join(out)


def _para(text, style):
    """A paragraph of plain text: reportlab reads paragraphs as markup, so names are escaped first."""
    return Paragraph(escape(_french_spacing(_printable(text))), _STYLES[style])


def mask_iban(iban):
    """Every character but the last four hidden, grouped by four as IBANs are printed."""
    packed = compact(iban)
    hidden = "*" * max(len(packed) - 4, 0) + packed[-4:]
    return " ".join(hidden[start : start + 4] for start in range(0, len(hidden), 4))


# Places on the cover ------------------------------------------------------------------------------


def _coordinates(place):
    if place.latitude is not None and place.longitude is not None:
        return place.latitude, place.longitude
    commune = place.commune
    if commune is not None and commune.latitude is not None and commune.longitude is not None:
        return commune.latitude, commune.longitude
    return None


def _located(commune):
    return commune is not None and commune.latitude is not None and commune.longitude is not None


def distance_from(commune, place):
    """Kilometres from the centre of ``commune`` to ``place``, or None when either has no position."""
    position = _coordinates(place)
    if not _located(commune) or position is None:
        return None
    return distance_km(commune.latitude, commune.longitude, *position)


def nearest_places(program, commune=None, *, limit=PLACES_ON_COVER):
    """The programme's published qualified places, the nearest to ``commune`` first.

    Without a commune, or one without coordinates, the first ones by name. Places without
    coordinates (nor a commune that has some) come after those with, by name.
    """
    places = list(
        Place.objects.published().filter(pass_programs=program).select_related("commune").order_by("name", "pk")
    )
    if not _located(commune):
        return places[:limit]

    def distance(place):
        km = distance_from(commune, place)
        return float("inf") if km is None else km

    return sorted(places, key=distance)[:limit]  # a stable sort: equal distances stay in name order


# QR codes -----------------------------------------------------------------------------------------


def qr_modules(payload):
    """``(width, dark)``: the QR symbol's width in modules and its dark modules as (column, row), row 0 at top.

    Never a Micro QR: many phone cameras do not read them.
    """
    symbol = segno.make(payload, error="m", micro=False)
    dark = [(column, row) for row, line in enumerate(symbol.matrix) for column, value in enumerate(line) if value]
    return symbol.symbol_size(border=0)[0], dark


def draw_qr(canvas, payload, x, y, size):
    """Draw the QR code with its lower left corner at (x, y); returns the number of modules drawn.

    All squares go into one path filled with the non-zero rule: viewers and printers fill their union
    at once, with no hairline seams between neighbouring modules.
    """
    width, dark = qr_modules(payload)
    module = size / width
    canvas.saveState()
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for column, row in dark:
        path.rect(x + column * module, y + (width - 1 - row) * module, module, module)
    canvas.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
    canvas.restoreState()
    return len(dark)


# Booklets -----------------------------------------------------------------------------------------


def _help_line():
    phone = phone_display(settings.HELP_PHONE_NUMBER)
    return phone, settings.HELP_PHONE_HOURS or HELP_HOURS_DEFAULT


def _fit(text, font, size, width, lines=1):
    """The first ``lines`` lines of ``text`` at ``width``, the last one ending in an ellipsis when some was cut."""
    split = simpleSplit(text, font, size, width) or [""]
    if len(split) > lines:
        split = [*split[: lines - 1], split[lines - 1].rstrip() + "…"]
    return split


class _TicketSheet(Flowable):
    """One page of passes to cut out: ``TICKETS_PER_PAGE`` tickets in a column, with dashed cut lines."""

    def __init__(self, tickets):
        super().__init__()
        self.tickets = tickets

    def wrap(self, available_width, available_height):
        self.width, self.height = available_width, available_height
        return self.width, self.height

    def draw(self):
        height = self.height / TICKETS_PER_PAGE
        for index, ticket in enumerate(self.tickets):
            self._draw_ticket(ticket, self.height - (index + 1) * height, height)

    def _draw_ticket(self, ticket, bottom, height):
        canvas, top = self.canv, bottom + height
        canvas.saveState()
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.5)
        canvas.setDash(4, 3)
        canvas.rect(0, bottom, self.width, height, stroke=1, fill=0)
        canvas.restoreState()

        draw_qr(canvas, ticket["payload"], QR_LEFT, bottom + (height - QR_SIZE) / 2, QR_SIZE)

        left = QR_LEFT + QR_SIZE + 9 * mm
        text_width = self.width - left - 6 * mm
        canvas.setFillColor(colors.black)
        baseline = top - 10 * mm
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawString(left, baseline, ticket["number"])
        canvas.setFont("Helvetica", 10)
        canvas.drawRightString(self.width - 6 * mm, baseline, ticket["booklet"])
        baseline -= 10 * mm
        canvas.setFont(*CODE_FONT)
        canvas.drawString(left, baseline, ticket["code"])
        baseline -= 7 * mm
        canvas.setFont("Helvetica", 10)
        canvas.drawString(left, baseline, _fit(ticket["program"], "Helvetica", 10, text_width)[0])
        baseline -= 5 * mm
        canvas.drawString(left, baseline, ticket["valid_until"])
        baseline -= 6 * mm
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(left, baseline, TICKET_SHOW)
        baseline -= 5 * mm
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(GREY)
        canvas.drawString(left, baseline, ticket["help"])


def _fitted_para(text, style, width, lines):
    """A paragraph cut to ``lines`` lines: eight places must fit on the cover, however long their names."""
    style = _STYLES[style]
    fitted = _fit(_printable(text), style.fontName, style.fontSize, width, lines)
    return Paragraph("<br/>".join(escape(line) for line in fitted), style)


def _distance_words(km):
    return PLACE_HERE if km < 1 else PLACE_DISTANCE.format(km=_unbreakable(f"{km:.0f}"))


def _place_cell(place, width, km=None):
    cell = [_fitted_para(place.name, "place_name", width, 2)]
    if km is not None:
        cell.append(_para(_distance_words(km), "place_distance"))
    for line in (place.address, place.address_complement, f"{place.postcode} {place.commune_name}".strip()):
        if line:
            cell.append(_fitted_para(line, "place", width, 1))
    if place.phone:
        cell.append(_para(PLACE_PHONE.format(phone=_unbreakable(phone_display(place.phone))), "place"))
    return cell


def _places_table(places, width, commune=None):
    padding = 8
    cells = [_place_cell(place, width / 2 - padding, distance_from(commune, place)) for place in places]
    if len(cells) % 2:
        cells.append("")
    rows = [cells[start : start + 2] for start in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[width / 2] * 2)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), padding),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _cover(booklet, program, passes, places, width, height):
    """The cover, always one page: in the rare case it would not fit (very long texts), it is shrunk to fit."""
    return KeepInFrame(width, height, _cover_story(booklet, program, passes, places, width), mode="shrink")


def _cover_story(booklet, program, passes, places, width):
    phone, hours = _help_line()
    story = [
        _para(BOOKLET_TITLE, "title"),
        _para(BOOKLET_NUMBER.format(label=booklet.label), "reference"),
        _para(program.name, "subtitle"),
        *(_para(sentence, "body") for sentence in BOOKLET_INTRO),
        Spacer(0, 6),
    ]
    if program.minutes_per_pass:
        story.append(_para(TICKET_WORTH.format(duration=duration_words(program.minutes_per_pass)), "fact"))
    story += [
        _para(VALID_UNTIL.format(date=_unbreakable(french_date(program.ends_on))), "fact"),
        _para(BOOKLET_CONTENTS.format(count=len(passes)), "body"),
        _para(FUNDER_LINE.format(name=program.funder.name), "body"),
        Spacer(0, 8),
    ]
    help_box = Table(
        [
            [
                [
                    _para(HELP_QUESTION, "help_question"),
                    _para(HELP_CALL.format(phone=_unbreakable(phone)), "help_call"),
                    _para(hours, "help_hours"),
                ]
            ]
        ],
        colWidths=[width],
    )
    help_box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    story.append(help_box)
    story.append(_para(PLACES_TITLE, "heading"))
    if not places:
        return [*story, _para(PLACES_NONE, "body")]
    commune = booklet.commune
    if not _located(commune):
        return [*story, _para(PLACES_ANY, "body"), Spacer(0, 4), _places_table(places, width)]
    with translation.override("fr"):
        near = formatting.near(commune.name)
    distances = {place.pk: distance_from(commune, place) for place in places}
    known = [km for km in distances.values() if km is not None]
    if not known:  # no listed place has a position: no distance to promise
        return [*story, _para(PLACES_ANY, "body"), Spacer(0, 4), _places_table(places, width)]
    if min(known) <= NEAR_KM:
        introduction = PLACES_NEAR.format(near=near)
        # Only the near ones: a place 50 km away after one at 1 km would send someone for nothing.
        places = [place for place in places if distances[place.pk] is not None and distances[place.pk] <= NEAR_KM]
    else:
        introduction = PLACES_FAR.format(near=near, km=_unbreakable(f"{min(known):.0f}"))
    return [*story, _para(introduction, "body"), Spacer(0, 4), _places_table(places, width, commune)]


def _tickets(booklet, program, passes):
    phone, _hours = _help_line()
    common = {
        "booklet": _printable(TICKET_BOOKLET.format(label=booklet.label)),
        "program": _printable(program.name),
        "valid_until": _printable(TICKET_VALID_UNTIL.format(date=french_date(program.ends_on))),
        "help": _printable(TICKET_HELP.format(phone=phone)),
    }
    return [
        {
            **common,
            "payload": codes.qr_payload(item.code),
            "code": codes.display(item.code),
            "number": _printable(TICKET_NUMBER.format(position=item.position, count=len(passes))),
        }
        for item in passes
    ]


def booklet_pdf(booklets, *, nearby_places=None, compress=True):
    """One A4 PDF to print: for each booklet, its cover page then its passes, five to a page.

    ``nearby_places`` maps a booklet's pk to the places to list on its cover; the others are looked up
    (``nearest_places``). ``compress=False`` leaves the text readable in the file, for tests.
    "Pass n° 3 / 10" counts the passes the booklet really has: an order's last booklet may hold fewer.
    """
    wanted = [booklet.pk for booklet in booklets]
    if not wanted:
        raise ValueError("No booklet to print.")
    passes = Prefetch("passes", queryset=Pass.objects.order_by("position"), to_attr="ordered_passes")
    found = Booklet.objects.filter(pk__in=wanted).select_related("order__program__funder", "commune")
    found = {booklet.pk: booklet for booklet in found.prefetch_related(passes)}
    nearby_places = nearby_places or {}
    looked_up = {}  # booklets of the same programme handed out in the same commune list the same places

    buffer = io.BytesIO()
    title = (
        BOOKLET_DOCUMENT_TITLE.format(label=found[wanted[0]].label)
        if len(wanted) == 1
        else BOOKLETS_DOCUMENT_TITLE.format(count=len(wanted))
    )
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN,
        title=title,
        author=settings.TERRITORY_NAME,
        subject=BOOKLET_TITLE,
        creator="Maillage",
        lang="fr-FR",
        pageCompression=1 if compress else 0,
    )
    # The frame's padding takes 6 points a side; one more keeps the cover clear of platypus's rounding.
    width, height = document.width - 12, document.height - 12 - 1
    story = []
    for pk in wanted:
        booklet = found[pk]
        program = booklet.order.program
        if pk in nearby_places:
            places = list(nearby_places[pk])
        else:
            key = (program.pk, booklet.commune_id)
            if key not in looked_up:
                looked_up[key] = nearest_places(program, booklet.commune)
            places = looked_up[key]
        items = booklet.ordered_passes
        if story:
            story.append(PageBreak())
        story.append(_cover(booklet, program, items, places[:PLACES_ON_COVER], width, height))
        tickets = _tickets(booklet, program, items)
        for start in range(0, len(tickets), TICKETS_PER_PAGE):
            story += [PageBreak(), _TicketSheet(tickets[start : start + TICKETS_PER_PAGE])]
    document.build(story)
    return buffer.getvalue()


# Statements ---------------------------------------------------------------------------------------


def _facts_table(rows, width):
    table = Table(
        [[_para(label, "cell_bold"), _para(value, "cell")] for label, value in rows],
        colWidths=[width * 0.25, width * 0.75],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def statement_pdf(payout, *, compress=True):
    """The monthly statement of one place, as a PDF to send to its organisation and keep."""
    payout = Payout.objects.select_related("place__organization").get(pk=payout.pk)
    lines = statement_lines(payout)
    place, organization = payout.place, payout.place.organization

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN + 6 * mm,
        title=STATEMENT_DOCUMENT_TITLE.format(reference=payout.reference),
        author=settings.TERRITORY_NAME,
        subject=STATEMENT_TITLE,
        creator="Maillage",
        lang="fr-FR",
        pageCompression=1 if compress else 0,
    )
    width = document.width - 12

    facts = [
        (STATEMENT_REFERENCE, payout.reference),
        (STATEMENT_MONTH, french_month(payout.month)),
        (STATEMENT_ISSUED, french_date(payout.created_at)),
    ]
    address = [place.name, place.address, place.address_complement, f"{place.postcode} {place.commune_name}"]
    facts.append((STATEMENT_PLACE, ", ".join(part for part in address if part.strip())))
    if organization is not None:
        facts.append((STATEMENT_ORGANIZATION, organization.name))
        if organization.siret:
            facts.append((STATEMENT_SIRET, organization.siret))
    story = [_para(STATEMENT_TITLE, "subtitle"), _facts_table(facts, width)]
    if payout.paid_at:
        story.append(_para(STATEMENT_PAID.format(date=french_date(payout.paid_at)), "fact"))
    story.append(Spacer(0, 10))

    if lines:
        rows = [[_para(heading, "cell_bold") for heading in STATEMENT_COLUMNS]]
        for redemption, service in lines:
            rows.append(
                [
                    _para(f"{timezone.localtime(redemption.redeemed_at):%d/%m/%Y}", "cell"),
                    _para(redemption.program.name, "cell"),
                    _para(service, "cell"),
                    _para(str(redemption.pass_count), "cell"),
                    _para(euros(redemption.value_cents), "cell"),
                ]
            )
        rows.append(
            [
                _para(STATEMENT_TOTAL, "cell_bold"),
                "",
                "",
                _para(str(payout.pass_count), "cell_bold"),
                _para(euros(payout.total_cents), "cell_bold"),
            ]
        )
        table = Table(rows, colWidths=[width * share for share in (0.13, 0.33, 0.3, 0.08, 0.16)], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("LINEBELOW", (0, 1), (-1, -2), 0.25, GREY),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ]
            )
        )
        story.append(table)
    else:
        story.append(_para(STATEMENT_NO_LINES, "body"))
    story.append(Spacer(0, 10))

    story += [
        _para(STATEMENT_TOTAL_PASSES.format(count=payout.pass_count), "body"),
        _para(STATEMENT_TOTAL_AMOUNT.format(amount=euros(payout.total_cents)), "fact"),
    ]
    known = [redemption.minutes for redemption, _service in lines if redemption.minutes is not None]
    if known:
        partial = STATEMENT_TIME_PARTIAL if len(known) < len(lines) else ""
        story.append(_para(STATEMENT_TOTAL_TIME.format(duration=duration_words(sum(known))) + partial, "body"))

    details = bank_details_of(organization)
    bank = [_para(STATEMENT_BANK_TITLE, "heading")]
    if details is None:
        bank.append(_para(STATEMENT_BANK_MISSING, "body"))
    else:
        bank_rows = [(STATEMENT_BANK_HOLDER, details.holder), ("IBAN", mask_iban(details.iban))]
        if details.bic:
            bank_rows.append(("BIC", compact(details.bic)))
        bank.append(_facts_table(bank_rows, width))
    story.append(KeepTogether(bank))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GREY)
        text = _printable(STATEMENT_FOOTER.format(reference=payout.reference, page=doc.page))
        canvas.drawRightString(A4[0] - PAGE_MARGIN, PAGE_MARGIN, text)
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
