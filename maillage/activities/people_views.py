"""Beneficiary records: minimal, consented, read within the organisation only, every reading journaled."""

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from maillage import formatting
from maillage.accounts.access import Ability, organizations_of
from maillage.activities import beneficiaries, services
from maillage.activities.forms import MergeForm, PersonForm
from maillage.activities.models import CONSENT_PURPOSES_SAID_ALONE, Accompaniment, Beneficiary, Setting
from maillage.activities.themes import ADMINISTRATIVE_SUBTHEMES, THEMES
from maillage.forms import posted
from maillage.parsing import parse_id


def _person(request, person_id):
    return get_object_or_404(
        Beneficiary.objects.visible_to(request.user).kept().select_related("commune"), pk=person_id
    )


def people(request):
    organizations = organizations_of(request.user, Ability.ACT)
    if not organizations:
        raise Http404
    query = request.GET.get("q", "").strip()[:60]
    found = Beneficiary.objects.visible_to(request.user).kept().select_related("commune", "organization")
    if query:
        found = found.filter(first_name__icontains=query)
    found = list(found.order_by("first_name", "pk")[:50])
    beneficiaries.read_list(found, by=request.user)
    return render(request, "activities/people.html", {"people": found, "query": query})


def person_new(request):
    organizations = organizations_of(request.user, Ability.ACT)
    if not organizations:
        raise Http404
    form = PersonForm(posted(request), organizations=organizations, initial={"submission_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        person = beneficiaries.record_person(by=request.user, **form.person_fields(), **form.creation_fields())
        messages.success(
            request, _("The record of %(name)s is created.") % {"name": formatting.after_de(person.first_name)}
        )
        return redirect("activities:person", person_id=person.pk)
    return render(request, "activities/person_form.html", {"form": form, "person": None})


def _history(person):
    return (
        Accompaniment.objects.current()
        .filter(beneficiary=person)
        .select_related("place", "author")
        .order_by("-day", "-created_at")
    )


def person_detail(request, person_id):
    person = _person(request, person_id)
    beneficiaries.read_person(person, by=request.user)
    return render(
        request,
        "activities/person.html",
        {
            "person": person,
            "history": _history(person),
            "themes": THEMES,
            "purposes": [CONSENT_PURPOSES_SAID_ALONE[purpose] for purpose in person.consent_purposes],
            "registrations": person.registrations.select_related("session__workshop").order_by("-session__starts_at"),
        },
    )


def person_edit(request, person_id):
    person = _person(request, person_id)
    form = PersonForm(posted(request), initial=PersonForm.initial_from(person), organizations=None)
    if request.method == "POST" and form.is_valid():
        fields = form.person_fields()
        if {"consent_way", "consent_purposes"} & set(form.changed_data):
            fields["consent_at"] = timezone.now()  # a new consent, given today
        beneficiaries.change_person(person, by=request.user, **fields)
        messages.success(request, _("The record is saved."))
        return redirect("activities:person", person_id=person.pk)
    if request.method != "POST":
        beneficiaries.read_person(person, by=request.user)
    return render(request, "activities/person_form.html", {"form": form, "person": person})


def person_merge(request, person_id):
    person = _person(request, person_id)
    others = Beneficiary.objects.visible_to(request.user).kept().filter(organization=person.organization)
    others = others.exclude(pk=person.pk).select_related("commune")
    if request.method == "POST" and _merged_already(request, person):
        return redirect("activities:person", person_id=person.pk)  # a double tap: the first one merged
    form = MergeForm(posted(request), others=others)
    if request.method == "POST" and form.is_valid():
        try:
            beneficiaries.merge_people(person, form.cleaned_data["duplicate"], by=request.user)
        except services.RecordRefused:
            messages.error(request, _("These two records can no longer be merged: one of them changed meanwhile."))
        else:
            messages.success(request, _("The two records are merged."))
        return redirect("activities:person", person_id=person.pk)
    # The page lists the organisation's other people.
    beneficiaries.read_person(person, by=request.user, list_of_people=list(others.values_list("pk", flat=True)))
    return render(request, "activities/person_merge.html", {"form": form, "person": person})


def _merged_already(request, person):
    duplicate = request.POST.get("duplicate", "")
    duplicate_id = parse_id(duplicate)
    return duplicate_id is not None and Beneficiary.objects.filter(pk=duplicate_id, merged_into=person).exists()


def person_delete(request, person_id):
    if (
        request.method == "POST"
        and Beneficiary.objects.visible_to(request.user)
        .filter(pk=person_id, anonymised_at__isnull=False, merged_into__isnull=True)
        .exists()
    ):  # a double tap: the first one deleted it
        return redirect("activities:people")
    person = _person(request, person_id)
    if request.method == "POST":
        beneficiaries.anonymise_person(person, by=request.user)
        erased = _(
            "The record is deleted: the person's details are erased. "
            "Their accompaniments still count in the statistics, attached to nobody."
        )
        messages.success(request, erased)
        return redirect("activities:people")
    beneficiaries.read_person(person, by=request.user)
    return render(request, "activities/person_delete.html", {"person": person})


def _person_data(person):
    """Everything Maillage holds about the person, as the right of access asks: what, since when, why."""
    return {
        "record": {
            "first_name": person.first_name,
            "age": person.get_birth_year_band_display(),
            "commune": person.commune.name if person.commune else "",
            "phone": person.phone,
            "email": person.email,
            "organisation": person.organization.name,
            "created_at": person.created_at.isoformat(),
        },
        "consent": {
            "given_at": person.consent_at.isoformat(),
            "how": person.get_consent_way_display(),
            "for": [str(CONSENT_PURPOSES_SAID_ALONE[purpose]) for purpose in person.consent_purposes],
        },
        "accompaniments": [
            {
                "day": record.day.isoformat(),
                "kind": record.get_kind_display(),
                "minutes": record.duration_minutes,
                "place": record.place.name if record.setting == Setting.PLACE else record.get_setting_display(),
                "themes": [str(THEMES.get(key, key)) for key in record.themes],
                "procedures": [str(ADMINISTRATIVE_SUBTHEMES.get(key, key)) for key in record.administrative_subthemes],
                "autonomy": record.get_autonomy_display(),
                "outcome": record.get_outcome_display(),
                "referred_to": record.referred_to,
                "note": record.note,
            }
            for record in _history(person).order_by("day", "created_at")
        ],
        "workshops": [
            {
                "workshop": registration.session.workshop.title,
                "starts_at": timezone.localtime(registration.session.starts_at).isoformat(),
                "status": registration.get_status_display(),
                "attended": registration.attended,
            }
            for registration in person.registrations.select_related("session__workshop")
        ],
        "retention": _(
            "This record is anonymised %(months)s months after the last accompaniment, or as soon as the person asks."
        )
        % {"months": settings.BENEFICIARY_RETENTION_MONTHS},
    }


def person_data(request, person_id):
    """The right of access, readable: a page to print or save as PDF and give to the person."""
    person = _person(request, person_id)
    beneficiaries.read_person(person, by=request.user, exported="html")
    data = _person_data(person)
    # The same lines as the JSON file, next to the records they describe (for dates and labels).
    history = list(zip(_history(person).order_by("day", "created_at"), data["accompaniments"], strict=True))
    registrations = person.registrations.select_related("session__workshop").order_by("session__starts_at")
    return render(
        request,
        "activities/person_data.html",
        {
            "person": person,
            "data": data,
            "history": history,
            "registrations": registrations,
            "purposes": [CONSENT_PURPOSES_SAID_ALONE[purpose] for purpose in person.consent_purposes],
        },
    )


def person_data_json(request, person_id):
    person = _person(request, person_id)
    beneficiaries.read_person(person, by=request.user, exported="json")
    response = HttpResponse(
        json.dumps(_person_data(person), ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"maillage-personne-{person.pk}.json")
    return response
