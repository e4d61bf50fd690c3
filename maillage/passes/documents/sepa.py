"""The SEPA credit transfer file (ISO 20022 pain.001.001.03) that pays the statements from the
coordination's account, as a French bank imports it."""

import re
import unicodedata
from xml.etree import ElementTree

from django.utils import timezone

from maillage.formatting import decimal_euros
from maillage.passes.documents.content import compact, local_date, payable

TRANSFER_LABEL = "Pass numerique {reference} {month:%Y-%m}"  # ASCII: bank statements drop anything else


def sepa_text(text, length=70):
    """``text`` in the SEPA character set (a-z, A-Z, 0-9, / - ? : ( ) . , ' + and space), cut to ``length``.

    Banks reject or mangle anything else: accents are stripped, ligatures spelled out, the rest dropped.
    """
    spelled = str(text)
    for char, replacement in (
        ("œ", "oe"),
        ("Œ", "OE"),
        ("æ", "ae"),
        ("Æ", "AE"),
        ("ß", "ss"),
        ("&", " et "),
        ("’", "'"),
        ("‘", "'"),
        ("«", "'"),
        ("»", "'"),
        ('"', "'"),
        ("_", "-"),
    ):
        spelled = spelled.replace(char, replacement)
    bare = "".join(char for char in unicodedata.normalize("NFKD", spelled) if not unicodedata.combining(char))
    kept = "".join(char if char.isascii() and (char.isalnum() or char in "/-?:().,'+ ") else " " for char in bare)
    return " ".join(kept.split())[:length].rstrip()


def transfer_label(payout):
    """``Pass numerique REL-000012 2026-10``: what the place reads on its bank statement."""
    return sepa_text(TRANSFER_LABEL.format(reference=payout.reference, month=payout.month), length=140)


SEPA_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
SEPA_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")


def _element(parent, tag, text=None, **attributes):
    element = ElementTree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = str(text)
    return element


def _path(parent, tags, text=None):
    """``_path(x, "A/B/C", "v")``: nested elements, the last one holding the text."""
    *outer, last = tags.split("/")
    for tag in outer:
        parent = _element(parent, tag)
    return _element(parent, last, text)


def _agent(parent, tag, bic):
    institution = _path(parent, f"{tag}/FinInstnId")
    if bic:
        _element(institution, "BIC", bic)
    else:
        # The debtor's agent is compulsory in pain.001.001.03; the EPC's word for "IBAN only".
        _path(institution, "Othr/Id", "NOTPROVIDED")


def sepa_credit_transfer_xml(payouts, *, debtor_name, debtor_iban, debtor_bic, message_id, execution_date):
    """A SEPA credit transfer initiation (ISO 20022 pain.001.001.03) paying each statement in one batch.

    ``message_id`` (at most 35 characters, unique for the bank) identifies the file and its single
    payment block; each transfer's end-to-end id is the statement's reference, which the place sees.
    """
    if not SEPA_ID.fullmatch(message_id or ""):
        # Never altered silently: the bank reports on this id, and whoever made it keeps it to match its reports.
        raise ValueError(f"A SEPA message id has 1 to 35 characters of the SEPA set: {message_id!r}")
    transfers = payable(payouts)
    if not transfers:
        raise ValueError("A SEPA file needs at least one transfer.")
    if any(payout.total_cents <= 0 for payout, _details in transfers):
        raise ValueError("A SEPA transfer moves at least one cent.")
    debtor_name = sepa_text(debtor_name)
    # A name written only in characters outside the SEPA set (Greek, Arabic…) would be left empty.
    unnamed = [payout.reference for payout, details in transfers if not sepa_text(details.holder)]
    if not debtor_name or unnamed:
        raise ValueError(f"A SEPA transfer needs names in Latin letters: debtor or holder of {unnamed}")
    count, total = str(len(transfers)), decimal_euros(sum(payout.total_cents for payout, _details in transfers))

    # The default namespace as a plain attribute: ElementTree.register_namespace would change a process-wide table.
    document = ElementTree.Element("Document", xmlns=SEPA_NAMESPACE)
    initiation = _element(document, "CstmrCdtTrfInitn")
    header = _element(initiation, "GrpHdr")
    _element(header, "MsgId", message_id)
    _element(header, "CreDtTm", timezone.localtime().replace(microsecond=0, tzinfo=None).isoformat())
    _element(header, "NbOfTxs", count)
    _element(header, "CtrlSum", total)
    _path(header, "InitgPty/Nm", debtor_name)

    batch = _element(initiation, "PmtInf")
    _element(batch, "PmtInfId", message_id)
    _element(batch, "PmtMtd", "TRF")
    _element(batch, "NbOfTxs", count)
    _element(batch, "CtrlSum", total)
    _path(batch, "PmtTpInf/SvcLvl/Cd", "SEPA")
    _element(batch, "ReqdExctnDt", local_date(execution_date).isoformat())
    _path(batch, "Dbtr/Nm", debtor_name)
    _path(batch, "DbtrAcct/Id/IBAN", compact(debtor_iban))
    _agent(batch, "DbtrAgt", compact(debtor_bic))
    _element(batch, "ChrgBr", "SLEV")

    for payout, details in transfers:
        transfer = _element(batch, "CdtTrfTxInf")
        _path(transfer, "PmtId/EndToEndId", payout.reference)
        _element(_element(transfer, "Amt"), "InstdAmt", decimal_euros(payout.total_cents), Ccy="EUR")
        if details.bic:
            _agent(transfer, "CdtrAgt", compact(details.bic))
        _path(transfer, "Cdtr/Nm", sepa_text(details.holder))
        _path(transfer, "CdtrAcct/Id/IBAN", compact(details.iban))
        _path(transfer, "RmtInf/Ustrd", transfer_label(payout))

    ElementTree.indent(document)
    return ElementTree.tostring(document, encoding="UTF-8", xml_declaration=True)
