"""The Pass numérique pages: funders' programmes and orders, the coordination's stock and statements,
distributors' booklets, and the places' till.

Who sees what is decided by the QuerySets (``visible_to``, ``held_by``…): another organisation's
objects answer 404. Acting needs a role: administrators of the funder order, administrators of the
coordination run the scheme, members who meet people (not viewers) hand out and take passes.
"""

import datetime
import uuid

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maillage import formatting
from maillage.accounts.access import Ability, acts_as, organization_as, organizations_of, user_can
from maillage.accounts.models import Organization
from maillage.forms import posted
from maillage.passes import codes, refusals, reports, services
from maillage.passes.documents import csv_files, pdf, sepa
from maillage.passes.documents.content import MissingBankDetails
from maillage.passes.forms import (
    AssignForm,
    BankDetailsForm,
    BlockForm,
    HandoverForm,
    OrderForm,
    ProgramForm,
    QualifiedPlacesForm,
    RedeemForm,
)
from maillage.passes.models import (
    BankDetails,
    Booklet,
    FundingOrder,
    Pass,
    PassProgram,
    PassStatus,
    Payout,
    Redemption,
)
from maillage.passes.refusals import message
from maillage.passes.states import BOOKLET_STATES, booklet_state
from maillage.places.models import Place
from maillage.ratelimit import client_address
from maillage.spreadsheets import EXCEL_BOM


def hub(request):
    user = request.user
    is_coordinator = acts_as(user, Organization.Kind.COORDINATOR)
    context = {
        "programs": PassProgram.objects.visible_to(user).select_related("funder"),
        "can_create_program": organizations_of(user, Ability.MANAGE, Organization.Kind.FUNDER).exists(),
        "is_coordinator": is_coordinator,
        "awaiting_payment": FundingOrder.objects.visible_to(user).awaiting_payment().select_related("program")
        if is_coordinator
        else [],
        "booklet_count": Booklet.objects.held_by(user).count(),
        "takes_passes": PassProgram.objects.filter(qualified_places__in=Place.objects.acted_at_by(user)).exists(),
    }
    return render(request, "passes/hub.html", context)


# Funders ------------------------------------------------------------------------------------------


def program_new(request):
    funder = organization_as(request.user, Organization.Kind.FUNDER, Ability.MANAGE)
    form = ProgramForm(posted(request))
    if request.method == "POST" and form.is_valid():
        program = services.create_program(
            funder=funder,
            by=request.user,
            **form.program_fields(),
            qualified_places=form.cleaned_data["qualified_places"],
            communes=form.cleaned_data["commune_codes"],
        )
        messages.success(request, _("The programme is created. You can now order its passes."))
        return redirect("passes:program_detail", program_id=program.pk)
    return render(request, "passes/program_form.html", {"form": form, "funder": funder})


def _visible_program(request, program_id):
    return get_object_or_404(PassProgram.objects.visible_to(request.user).select_related("funder"), pk=program_id)


def program_detail(request, program_id):
    program = _visible_program(request, program_id)
    user = request.user
    sees_figures = PassProgram.objects.reported_to(user).filter(pk=program.pk).exists()
    orders = program.orders.annotate(booklet_count=Count("booklets")).order_by("-created_at")
    return render(
        request,
        "passes/program_detail.html",
        {
            "program": program,
            "orders": orders,
            "report": reports.program_report(program) if sees_figures else None,
            "can_order": user_can(user, Ability.MANAGE, program.funder_id),
            "runs_scheme": acts_as(user, Organization.Kind.COORDINATOR, Ability.MANAGE),
            "places": program.qualified_places.order_by("name"),
            "services": program.allowed_services(),
            "credit_notes": program.credit_notes.all() if sees_figures else [],
            "communes": program.communes.order_by("name"),
        },
    )


def program_places(request, program_id):
    """The coordination qualifies places: which ones take the programme's passes from now on."""
    organization_as(request.user, Organization.Kind.COORDINATOR, Ability.MANAGE)
    program = _visible_program(request, program_id)
    form = QualifiedPlacesForm(posted(request), initial={"places": program.qualified_places.all()})
    if request.method == "POST" and form.is_valid():
        services.qualify_places(program, form.cleaned_data["places"], by=request.user)
        messages.success(request, _("The list of places that take the passes is saved."))
        return redirect("passes:program_detail", program_id=program.pk)
    return render(request, "passes/program_places.html", {"form": form, "program": program})


def program_report_csv(request, program_id):
    program = _visible_program(request, program_id)
    if not PassProgram.objects.reported_to(request.user).filter(pk=program.pk).exists():
        raise Http404
    response = HttpResponse(EXCEL_BOM + reports.program_report_csv(program), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pass-numerique-{program.pk}.csv"'
    return response


def order_new(request, program_id):
    program = _visible_program(request, program_id)
    if not user_can(request.user, Ability.MANAGE, program.funder_id):
        raise Http404
    form = OrderForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_passes(
                program,
                pass_count=data["pass_count"],
                booklet_size=data["booklet_size"],
                by=request.user,
                funder_reference=data["funder_reference"],
                submission_key=data["submission_key"] or None,
            )
        except services.PassActionRefused as refusal:
            form.add_error(None, message(refusal.reason))
        else:
            if (order.pass_count, order.booklet_size) != (data["pass_count"], data["booklet_size"]):
                # The form was sent before (the Back button): that first order stands, nothing more.
                messages.warning(
                    request,
                    _(
                        "This form had already been sent: order %(reference)s of %(count)s "
                        "passes is the one recorded. To order more, open the form again."
                    )
                    % {"reference": order.reference, "count": order.pass_count},
                )
            else:
                messages.success(
                    request, _("Your order is recorded. The passes become usable once the payment is received.")
                )
            return redirect("passes:program_detail", program_id=program.pk)
    return render(request, "passes/order_form.html", {"form": form, "program": program})


# The coordination ---------------------------------------------------------------------------------


def _order_for_coordination(request, order_id):
    organization_as(request.user, Organization.Kind.COORDINATOR, Ability.MANAGE)
    return get_object_or_404(FundingOrder.objects.select_related("program"), pk=order_id)


@require_POST
def order_paid(request, order_id):
    order = _order_for_coordination(request, order_id)
    try:
        services.mark_order_paid(order, by=request.user)
        messages.success(
            request, _("Order %(reference)s is paid: its passes are in stock.") % {"reference": order.reference}
        )
    except services.PassActionRefused as refusal:
        if refusal.reason == "program_ended":
            messages.error(request, message(refusal.reason))
        else:
            messages.info(request, _("This order was already marked paid."))
    return redirect("passes:program_detail", program_id=order.program_id)


def order_assign(request, order_id):
    order = _order_for_coordination(request, order_id)
    in_stock = order.booklets.filter(distributor__isnull=True).exclude(
        passes__status__in=[status for status in PassStatus.values if status != PassStatus.ACTIVE]
    )
    form = AssignForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booklets = services.assign_booklets(
                order, distributor=data["distributor"], count=data["count"], by=request.user, commune=data["commune"]
            )
        except services.PassActionRefused as refusal:
            available = refusal.details.get("available", 0)
            text = ngettext("Only %(count)s booklet is in stock.", "Only %(count)s booklets are in stock.", available)
            form.add_error("count", text % {"count": available})
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s booklet is with %(distributor)s.",
                    "%(count)s booklets are with %(distributor)s.",
                    len(booklets),
                )
                % {"count": len(booklets), "distributor": formatting.after_a(data["distributor"])},
            )
            return redirect("passes:program_detail", program_id=order.program_id)
    return render(request, "passes/order_assign.html", {"order": order, "form": form, "in_stock": in_stock.count()})


def order_booklets_pdf(request, order_id):
    order = _order_for_coordination(request, order_id)
    if not order.is_paid:
        raise Http404  # unpaid codes are not printed: they could be handed out before they are usable
    booklets = list(order.booklets.all())
    label = f"{order.reference}: {len(booklets)} booklets"
    document = services.print_booklets(booklets, by=request.user, target=order, label=label)
    return _pdf_response(document, f"carnets-{order.reference}.pdf")


def block_pass(request):
    organization_as(request.user, Organization.Kind.COORDINATOR, Ability.MANAGE)
    form = BlockForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            pass_item = services.pass_of(form.cleaned_data["code"])
            if "unblock" in request.POST:
                services.unblock(pass_item, by=request.user)
                done = _("The pass %(code)s can be used again.")
            else:
                services.block(pass_item, reason=form.cleaned_data["reason"], by=request.user)
                done = _("The pass %(code)s is blocked.")
        except services.PassActionRefused as refusal:
            form.add_error("reason" if refusal.reason == "no_reason" else "code", message(refusal.reason))
        else:
            messages.success(request, done % {"code": pass_item})
            return redirect("passes:block")
    blocked = Pass.objects.filter(status=PassStatus.BLOCKED).select_related("program")[:50]
    return render(request, "passes/block.html", {"form": form, "blocked": blocked})


# Distributors -------------------------------------------------------------------------------------


def booklets(request):
    held = Booklet.objects.held_by(request.user).select_related("order__program", "commune").order_by("order", "number")
    rows = []
    statuses = {}
    for booklet_id, status in Pass.objects.filter(booklet__in=held).values_list("booklet", "status"):
        statuses.setdefault(booklet_id, []).append(status)
    for booklet in held:
        left = statuses.get(booklet.pk, []).count(PassStatus.WITH_DISTRIBUTOR)
        state = booklet_state(statuses.get(booklet.pk, []))
        rows.append({"booklet": booklet, "left": left, "state": BOOKLET_STATES.get(state, state)})
    return render(request, "passes/booklets.html", {"rows": rows})


def _held_booklet(request, booklet_id):
    return get_object_or_404(Booklet.objects.held_by(request.user).select_related("order__program"), pk=booklet_id)


def _booklet_to_hand_out(request, booklet_id):
    """A booklet of the user's distributor, for members who hand passes out (a viewer gets no live codes)."""
    booklet = _held_booklet(request, booklet_id)
    if not user_can(request.user, Ability.ACT, booklet.distributor_id):
        raise Http404
    return booklet


def booklet_handover(request, booklet_id):
    booklet = _booklet_to_hand_out(request, booklet_id)
    program = booklet.order.program
    left = list(booklet.passes.filter(status=PassStatus.WITH_DISTRIBUTOR).order_by("position"))
    form = HandoverForm(posted(request), passes=left, program=program, initial={"commune": booklet.commune})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handover = services.hand_out(
                booklet,
                distributor=booklet.distributor,
                by=request.user,
                positions=data["positions"],
                commune=data["commune"],
                age_band=data["age_band"],
                public=data["public"],
            )
        except services.PassActionRefused as refusal:
            if refusal.reason == "outside_territory":
                form.add_error("commune", message(refusal.reason))
            else:
                form.add_error("positions", _("These passes were handed out meanwhile. Tick those that are left."))
        else:
            count = handover.passes.count()
            text = ngettext(
                "%(count)s pass is handed out. Thank you.", "%(count)s passes are handed out. Thank you.", count
            )
            messages.success(request, text % {"count": count})
            return redirect("passes:booklets")
    return render(request, "passes/booklet_handover.html", {"booklet": booklet, "form": form, "left": left})


def booklet_pdf(request, booklet_id):
    booklet = _booklet_to_hand_out(request, booklet_id)
    document = services.print_booklets([booklet], by=request.user, target=booklet, label=f"booklet {booklet.label}")
    return _pdf_response(document, f"carnet-{booklet.label}.pdf")


def _pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# Places -------------------------------------------------------------------------------------------


def till(request):
    """A place takes passes: type or scan a code, choose the service; today's uses can be cancelled."""
    places = (
        Place.objects.acted_at_by(request.user)
        .order_by("name")
        .filter(pk__in=PassProgram.qualified_places.through.objects.values("place"))
    )
    if not places:
        raise Http404
    # The place this member took passes at last: the desk they work at, proposed again.
    last_used = (
        Redemption.objects.filter(redeemed_by=request.user, place__in=places)
        .order_by("-redeemed_at")
        .values_list("place", flat=True)
        .first()
    )
    form = RedeemForm(posted(request), places=places, last_used=last_used)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identities = [f"user-{request.user.pk}", client_address(request)]
        try:
            redemption, _replayed = refusals.guarded(
                "pass_scan_web",
                identities,
                lambda: services.redeem(
                    data["code"],
                    places=places,
                    place=data["place"],
                    service=data["service"],
                    by=request.user,
                    idempotency_key=data["idempotency_key"],
                ),
            )
        except refusals.PassActionRefused as refusal:
            _refused(form, refusal, data["place"].organization_id)
        else:
            return redirect("passes:till_done", redemption_id=redemption.pk)
    if form.is_bound and form.errors:
        # Nothing was used: the next try is a new scan, with a new key (typed again after Back, too).
        form.data = form.data.copy()
        form.data["idempotency_key"] = uuid.uuid4().hex
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = Redemption.objects.filter(place__in=places, redeemed_at__gte=today_start).select_related("place")
    payouts = Payout.objects.filter(place__in=places).select_related("place")[:24]
    return render(
        request,
        "passes/till.html",
        {
            "form": form,
            "today": today.prefetch_related("passes"),
            "figures": reports.place_figures(places),
            "payouts": payouts,
            "places": places,
            "bank_organizations": organizations_of(request.user, Ability.MANAGE, Organization.Kind.PLACE_OPERATOR),
        },
    )


def _refused(form, refusal, organization_id):
    """The refusal's words beside the field it is about (at the top when that field is not shown)."""
    explanation = refusals.explained(refusal, organization_id)
    field = form.fields.get(explanation.field)
    form.add_error(explanation.field if field is not None and not field.widget.is_hidden else None, explanation.message)


def till_done(request, redemption_id):
    redemptions = Redemption.objects.at_places_of(request.user).select_related("place", "program")
    redemption = get_object_or_404(redemptions, pk=redemption_id)
    used = [codes.display(code) for code in redemption.passes.values_list("code", flat=True)]
    return render(request, "passes/till_done.html", {"redemption": redemption, "codes": used})


@require_POST
def redemption_cancel(request, redemption_id):
    redemption = get_object_or_404(
        Redemption.objects.at_places_of(request.user),
        pk=redemption_id,
        place__in=Place.objects.acted_at_by(request.user),
    )
    try:
        services.cancel_redemption(redemption, by=request.user)
        messages.success(request, _("The use is cancelled: the passes can be used again."))
    except services.PassActionRefused as refusal:
        messages.error(request, message(refusal.reason))
    return redirect("passes:till")


def bank_details(request, organization_id):
    # Places' organisations are paid to it; the coordination pays from it (the SEPA file's debtor).
    administered = organizations_of(request.user, Ability.MANAGE)
    organization = get_object_or_404(
        administered.filter(Q(is_place_operator=True) | Q(is_coordinator=True)), pk=organization_id
    )
    current = BankDetails.objects.filter(organization=organization).first()
    initial = {"holder": current.holder, "iban": current.iban, "bic": current.bic} if current else {}
    form = BankDetailsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_bank_details(organization, by=request.user, **form.cleaned_data)
        messages.success(request, _("The bank details are saved."))
        return redirect("passes:payouts" if organization.is_coordinator else "passes:till")
    return render(request, "passes/bank_details.html", {"form": form, "organization": organization})


# Statements ---------------------------------------------------------------------------------------


def payouts(request):
    organization_as(request.user, Organization.Kind.COORDINATOR, Ability.MANAGE)
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if request.method == "POST":
        try:
            made = services.create_payouts(last_month)
        except services.PassActionRefused:  # passes moved meanwhile: nothing was made, try again
            messages.error(request, _("Something changed meanwhile: nothing was prepared. Try again."))
            return redirect("passes:payouts")
        messages.success(
            request,
            ngettext("%(count)s statement was prepared.", "%(count)s statements were prepared.", len(made))
            % {"count": len(made)},
        )
        return redirect("passes:payouts")
    listed = Payout.objects.select_related("place__organization__bank_details").order_by("-number")[:200]
    coordination = organizations_of(request.user, Ability.MANAGE, Organization.Kind.COORDINATOR).first()
    return render(
        request, "passes/payouts.html", {"payouts": listed, "last_month": last_month, "coordination": coordination}
    )


def _visible_payout(request, payout_id):
    return get_object_or_404(Payout.objects.visible_to(request.user).select_related("place"), pk=payout_id)


def payout_pdf(request, payout_id):
    payout = _visible_payout(request, payout_id)
    services.mark_payout_exported(payout)
    return _pdf_response(pdf.statement_pdf(payout), f"{payout.reference}.pdf")


def payout_csv(request, payout_id):
    payout = _visible_payout(request, payout_id)
    services.mark_payout_exported(payout)
    response = HttpResponse(EXCEL_BOM + csv_files.statement_csv(payout), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{payout.reference}.csv"'
    return response


@require_POST
def payout_paid(request, payout_id):
    organization_as(request.user, Organization.Kind.COORDINATOR, Ability.MANAGE)
    payout = get_object_or_404(Payout, pk=payout_id)
    try:
        services.mark_payout_paid(payout, by=request.user)
        messages.success(request, _("Statement %(reference)s is paid.") % {"reference": payout.reference})
    except services.PassActionRefused:
        messages.info(request, _("This statement was already marked paid."))
    return redirect("passes:payouts")


def bank_transfers(request, file_format):
    """The transfers to make for the statements not paid yet: a CSV for any bank, or a SEPA file
    (pain.001) paid from the coordination's account."""
    organization_as(request.user, Organization.Kind.COORDINATOR, Ability.MANAGE)
    unpaid = Payout.objects.filter(paid_at__isnull=True).select_related("place__organization").order_by("number")
    if request.GET.get("encore") != "1":  # a statement goes into one file, unless the file is made again on purpose
        unpaid = unpaid.filter(transfer_file_at__isnull=True)
    unpaid = list(unpaid)
    if not unpaid:
        messages.info(request, _("No statement is waiting to be put in a transfer file."))
        return redirect("passes:payouts")
    try:
        if file_format == "xml":
            content, content_type = _sepa_file(request, unpaid), "application/xml"
        else:
            content, content_type = csv_files.bank_transfers_csv(unpaid), "text/csv; charset=utf-8"
    except MissingBankDetails as missing:
        messages.error(request, _("Some places have no bank details yet: %(names)s.") % {"names": missing})
        return redirect("passes:payouts")
    except _NoDebtorAccount:
        messages.error(request, _("Enter the coordination's bank details first: the transfers leave from them."))
        return redirect("passes:payouts")
    except ValueError:  # a holder's name the bank's character set cannot write
        messages.error(request, _("A holder's name cannot be written in a SEPA file: use the CSV file."))
        return redirect("passes:payouts")
    services.mark_in_transfer_file(unpaid)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="virements-pass-numerique.{file_format}"'
    return response


class _NoDebtorAccount(Exception):
    pass


def _sepa_file(request, payouts):
    coordination = organizations_of(request.user, Ability.MANAGE, Organization.Kind.COORDINATOR).first()
    debtor = BankDetails.objects.filter(organization=coordination).first()
    if debtor is None:
        raise _NoDebtorAccount
    now = timezone.localtime()
    return sepa.sepa_credit_transfer_xml(
        payouts,
        debtor_name=debtor.holder,
        debtor_iban=debtor.iban,
        debtor_bic=debtor.bic,
        message_id=f"MAILLAGE-{now:%Y%m%d%H%M%S}-{payouts[0].number}",
        execution_date=now.date(),
    )
