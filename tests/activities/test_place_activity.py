"""A place's people and the coordination see what the place did, month by month, without ever
seeing a small group; administrators take their records away as a CSV file, names only on request."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from maillage import months
from maillage.accounts.models import ROLES_ABLE_TO, Ability, AuditEvent, Membership, Organization
from maillage.activities import beneficiaries, services, statistics
from maillage.activities.models import Accompaniment, Kind, Outcome, Setting
from maillage.activities.themes import THEMES
from maillage.passes.models import Redemption
from tests.activities.factories import records_at
from tests.conftest import verified_session
from tests.passes.factories import passes_of
from tests.places.factories import helping_place

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]


def this_month():
    return timezone.localdate().replace(day=1)


def months_ago(count):
    return months.shifted(this_month(), -count)


def session(client, demo, local_part):
    return verified_session(client, demo.user(local_part))


def shown(rows):
    return {row.label: row.count if row.shown else None for row in rows}


def month_url(place, month):
    return f"/activites/lieux/{place.pk}/{month.year}/{month.month}/"


# Who sees a place's activity ----------------------------------------------------------------------


@pytest.mark.parametrize("local_part", ["admin", "mediateur", "benevole", "observateur", "coordination"])
def test_the_places_members_whatever_their_role_and_the_coordination_see_its_activity(local_part, client, demo, place):
    visitor = session(client, demo, local_part)
    assert visitor.get(f"/activites/lieux/{place.pk}/").status_code == 200
    assert visitor.get(month_url(place, this_month())).status_code == 200


@pytest.mark.parametrize("local_part", ["association", "ccas", "financeur"])
def test_other_organisations_do_not_even_learn_the_page_exists(local_part, client, demo, place):
    visitor = session(client, demo, local_part)
    assert visitor.get(f"/activites/lieux/{place.pk}/").status_code == 404
    assert visitor.get(month_url(place, this_month())).status_code == 404


def test_an_anonymous_person_is_sent_to_log_in(client, place):
    for url in (f"/activites/lieux/{place.pk}/", month_url(place, this_month()), "/activites/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")


def test_only_the_organisations_administrators_are_offered_the_file(client, demo, place):
    assert (
        "/activites/export.csv?organisation="
        in session(client, demo, "admin").get(f"/activites/lieux/{place.pk}/").content.decode()
    )
    for local_part in ("mediateur", "coordination"):
        page = session(client, demo, local_part).get(f"/activites/lieux/{place.pk}/").content.decode()
        assert "/activites/export.csv" not in page


# What the figures say -----------------------------------------------------------------------------


def test_the_last_twelve_months_show_accompaniments_people_and_time_month_by_month(client, demo, place):
    records_at(place, 10, participants=2)  # this month: 10 accompaniments, 20 people, 7 h 30 min
    records_at(place, 7, day=months_ago(1))
    records_at(place, 3, day=months_ago(2))
    records_at(place, 8, day=months_ago(12))  # thirteen months ago: out of the year shown
    activity = statistics.place_activity(place, timezone.localdate())
    months = {line.start: line.figures for line in activity["months"]}
    assert len(months) == 12 and months_ago(12) not in months
    assert (months[this_month()].count, months[this_month()].people, months[this_month()].minutes) == (10, 20, 450)
    # Two months ago is a small group; last month is hidden too, else the total would give it away.
    assert not months[months_ago(2)].shown and not months[months_ago(1)].shown
    assert months[months_ago(3)].shown and months[months_ago(3)].count == 0
    assert (activity["total"].count, activity["total"].shown) == (20, True)

    page = session(client, demo, "mediateur").get(f"/activites/lieux/{place.pk}/").content.decode()
    assert "7 h 30 min" in page and "moins de 5" in page and "15 h 0 min" in page
    assert month_url(place, months_ago(11)) in page


def test_a_month_with_fewer_than_five_accompaniments_shows_neither_people_nor_time(client, demo, place):
    records_at(place, 4, participants=13, duration_minutes=125)
    activity = statistics.place_activity(place, timezone.localdate())
    assert not activity["total"].shown and not activity["months"][-1].figures.shown
    page = session(client, demo, "admin").get(f"/activites/lieux/{place.pk}/").content.decode()
    assert "<td>52</td>" not in page and "8 h 20 min" not in page and "moins de 5" in page


def test_a_theme_chosen_fewer_than_five_times_is_not_detailed(place):
    records_at(place, 6, themes=["email", "security"])
    records_at(place, 3, themes=["email", "health"])
    themes = shown(statistics.place_activity(place, timezone.localdate())["themes"])
    assert themes[str(THEMES["email"])] == 9 and themes[str(THEMES["health"])] is None
    # Security (6) is the smallest group shown: it is hidden too, so that no difference gives health away.
    assert themes[str(THEMES["security"])] is None


def test_when_one_outcome_is_hidden_the_next_smallest_is_hidden_too(place):
    records_at(place, 10, outcome="done")
    records_at(place, 6, outcome="follow_up")
    records_at(place, 3, outcome="referred", referred_to="La CAF")
    activity = statistics.place_activity(place, timezone.localdate())
    assert shown(activity["outcomes"]) == {
        str(Outcome.DONE.label): 10,
        str(Outcome.FOLLOW_UP.label): None,
        str(Outcome.REFERRED.label): None,
    }
    assert shown(activity["kinds"]) == {str(Kind.INDIVIDUAL.label): 19}


def test_the_share_of_first_accompaniments_is_shown_only_when_both_sides_are_large_enough(client, demo, place):
    firsts = records_at(place, 6, first_time=True)
    records_at(place, 9)
    share = statistics.place_activity(place, timezone.localdate())["first_time"]
    assert (share.shown, share.percent, share.part, share.whole) == (True, 40, 6, 15)
    page = session(client, demo, "mediateur").get(f"/activites/lieux/{place.pk}/").content.decode()
    assert "40 % des accompagnements" in page and "(6 sur 15)" in page

    Accompaniment.objects.filter(pk__in=[record.pk for record in firsts[3:]]).delete()
    assert not statistics.place_activity(place, timezone.localdate())["first_time"].shown  # 3 first, 9 again


def test_a_corrected_record_counts_once_with_its_newest_version(place):
    [record, *_others] = records_at(place, 5, duration_minutes=30)
    Accompaniment.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    record.refresh_from_db()
    services.correct(record, by=record.author, duration_minutes=90)
    assert Accompaniment.objects.count() == 6
    total = statistics.place_activity(place, timezone.localdate())["total"]
    assert (total.count, total.minutes) == (5, 4 * 30 + 90)


def test_other_places_records_do_not_count(place, demo):
    records_at(helping_place(Organization.objects.get(name="Association Les Connectés du Saumurois")), 6)
    assert statistics.place_activity(place, timezone.localdate())["total"].count == 0


# The monthly summary ------------------------------------------------------------------------------


def test_the_monthly_summary_has_the_months_figures_where_and_links_to_the_months_around(client, demo, place):
    last_month = months_ago(1)
    records_at(place, 6, day=last_month, duration_minutes=60, kind="collective", participants=4)
    records_at(place, 5, day=last_month, duration_minutes=30)
    records_at(place, 5, day=this_month())  # fewer would hide last month too: the year's total would give it
    summary = statistics.month_summary(place, last_month, timezone.localdate())
    assert (summary["total"].count, summary["total"].people, summary["total"].minutes) == (11, 29, 510)
    assert (summary["collective"].count, summary["collective"].shown) == (6, True)
    assert shown(summary["settings"]) == {str(Setting.PLACE.label): 11}

    page = session(client, demo, "benevole").get(month_url(place, last_month)).content.decode()
    assert "8 h 30 min" in page
    assert month_url(place, months_ago(2)) in page and month_url(place, this_month()) in page
    this_months_page = session(client, demo, "benevole").get(month_url(place, this_month())).content.decode()
    assert month_url(place, months.shifted(this_month(), 1)) not in this_months_page


@pytest.mark.parametrize("year_and_month", ["2024/13", "2024/0", "1999/12", "99999/1", "next"])
def test_a_month_out_of_range_answers_not_found(year_and_month, client, demo, place):
    if year_and_month == "next":
        following = months.shifted(this_month(), 1)
        year_and_month = f"{following.year}/{following.month}"
    response = session(client, demo, "admin").get(f"/activites/lieux/{place.pk}/{year_and_month}/")
    assert response.status_code == 404


def test_passes_used_for_the_records_are_counted_once_and_cancelled_ones_not(place, library, monkeypatch):
    passes_of(library, place, Membership.objects.filter(organization=library).first().user)
    first, second = Redemption.objects.filter(place=place).order_by("pk")
    records_at(place, 1, redemptions=[first, second])
    records_at(place, 1, redemptions=[first])
    month, today = timezone.localdate().replace(day=1), timezone.localdate()
    assert statistics.month_summary(place, month, today)["pass_uses"] == statistics.Tally(count=2, shown=False)
    monkeypatch.setattr(statistics, "SMALLEST_GROUP", 1)
    monkeypatch.setattr("maillage.small_groups.SMALLEST_GROUP", 1)
    assert statistics.month_summary(place, month, today)["pass_uses"] == statistics.Tally(count=2, shown=True)
    Redemption.objects.filter(pk=second.pk).update(cancelled_at=timezone.now(), payout=None)
    assert statistics.month_summary(place, month, today)["pass_uses"].count == 1


def test_a_month_hidden_in_the_year_is_hidden_on_its_own_page_too(client, demo, place):
    """Months of 3, 6 and 10: the year hides the 3 and, so that it cannot be worked out, the 6 —
    whose own page then must not give it either."""
    records_at(place, 3, day=months_ago(3))
    records_at(place, 6, day=months_ago(2))
    records_at(place, 10, day=months_ago(1))
    year_page = session(client, demo, "benevole").get(f"/activites/lieux/{place.pk}/").content.decode()
    assert "moins de 5" in year_page and "non affiché" in year_page
    summary = statistics.month_summary(place, months_ago(2), timezone.localdate())
    assert not summary["total"].shown and not any(row.shown for row in summary["themes"])
    page = session(client, demo, "benevole").get(month_url(place, months_ago(2))).content.decode()
    assert ">6<" not in page and "non affiché" in page
    assert statistics.month_summary(place, months_ago(1), timezone.localdate())["total"].shown


# The CSV file -------------------------------------------------------------------------------------


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_an_administrator_downloads_the_records_that_count_without_anyone_named(client, demo, place, library):
    person = beneficiaries.record_person(
        organization=library,
        by=demo.user("mediateur"),
        first_name="Yvette",
        consent_way="oral",
        consent_purposes=["follow_up"],
    )
    [at_place] = records_at(
        place,
        1,
        author=demo.user("mediateur"),
        themes=["email", "administrative_procedures"],
        administrative_subthemes=["housing"],
        note="Rappeler jeudi",
        beneficiary=person,
    )
    home = services.record(
        organization=library,
        author=demo.user("mediateur"),
        day=timezone.localdate(),
        duration_minutes=60,
        setting="home",
        commune_id="49007",
        themes=["internet"],
        autonomy="alone",
        outcome="referred",
        referred_to="=CAF",
    )
    Accompaniment.objects.filter(pk=home.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    home.refresh_from_db()
    newer = services.correct(home, by=demo.user("mediateur"), duration_minutes=75)

    response = session(client, demo, "admin").get("/activites/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert list(rows[0]) == statistics.RECORD_COLUMNS
    assert [row["id"] for row in rows] == [str(at_place.pk), str(newer.pk)]
    first, second = rows
    assert (first["lieu_id"], first["lieu_nom"], first["commune_code_insee"]) == (str(place.pk), place.name, "")
    assert (first["thematiques"], first["sous_thematiques_demarches"]) == ("email|administrative_procedures", "housing")
    assert (second["commune_code_insee"], second["duree_minutes"], second["remplace_id"]) == (
        "49007",
        "75",
        str(home.pk),
    )
    assert second["orientation"] == "'=CAF"  # a spreadsheet would run "=CAF" as a formula
    text = str(rows)
    assert "Rappeler jeudi" not in text and "Yvette" not in text and demo.user("mediateur").email not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.organization, event.details) == (
        demo.user("admin"),
        library,
        {"what": "activity_records", "rows": 2},
    )


def test_with_people_asked_the_file_names_them_and_the_journal_says_so(client, demo, place, library):
    person = beneficiaries.record_person(
        organization=library,
        by=demo.user("mediateur"),
        first_name="Yvette",
        consent_way="oral",
        consent_purposes=["follow_up"],
    )
    records_at(place, 1, author=demo.user("mediateur"), note="-Rappeler jeudi", beneficiary=person)
    rows = read_csv(session(client, demo, "admin").get("/activites/export.csv?personnes=1"))
    assert list(rows[0]) == statistics.RECORD_COLUMNS + statistics.PEOPLE_COLUMNS
    assert (rows[0]["auteur_email"], rows[0]["beneficiaire_id"], rows[0]["beneficiaire_prenom"], rows[0]["note"]) == (
        demo.user("mediateur").email,
        str(person.pk),
        "Yvette",
        "'-Rappeler jeudi",
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.details == {"what": "activity_records_with_people", "rows": 1}


def test_people_are_left_out_for_a_role_that_does_not_see_personal_data(client, demo, place, monkeypatch):
    records_at(place, 1, note="Rappeler jeudi")
    admin = session(client, demo, "admin")
    table = {**ROLES_ABLE_TO, Ability.ACT: ROLES_ABLE_TO[Ability.ACT] - {Membership.Role.ADMIN}}
    monkeypatch.setattr("maillage.accounts.models.ROLES_ABLE_TO", table)
    rows = read_csv(admin.get("/activites/export.csv?personnes=1"))
    assert list(rows[0]) == statistics.RECORD_COLUMNS and "Rappeler jeudi" not in str(rows)
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).details["what"] == "activity_records"


def test_only_administrators_export_and_only_their_own_organisations_records(client, demo, library):
    for local_part in ("mediateur", "benevole", "observateur"):
        assert session(client, demo, local_part).get("/activites/export.csv").status_code == 404
    association = Organization.objects.get(name="Association Les Connectés du Saumurois")
    admin = session(client, demo, "admin")
    assert admin.get(f"/activites/export.csv?organisation={association.pk}").status_code == 404
    assert admin.get("/activites/export.csv?organisation=x").status_code == 404
    assert admin.get(f"/activites/export.csv?organisation={library.pk}").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, organization=association).exists()


def test_the_year_hides_what_a_months_page_hides_or_the_other_months_would_give_it(client, demo, place):
    records_at(place, 3, day=months_ago(2), themes=["health"])
    records_at(place, 8, day=months_ago(2), themes=["email"], kind="collective", participants=3)
    records_at(place, 6, day=months_ago(1), themes=["health"])
    records_at(place, 6, day=months_ago(1), themes=["email"])
    activity = statistics.place_activity(place, timezone.localdate())
    assert all(line.figures.shown for line in activity["months"])
    themes = shown(activity["themes"])
    # Health is hidden in the first month's page (3): the year must not give 9, nor E-mail as the second.
    assert themes[str(THEMES["health"])] is None and themes[str(THEMES["email"])] is None
    month_page = statistics.month_summary(place, months_ago(2), timezone.localdate())
    assert shown(month_page["themes"])[str(THEMES["health"])] is None


def test_the_place_page_makes_the_same_few_queries_whatever_the_months(
    client, demo, place, django_assert_max_num_queries
):
    page = session(client, demo, "benevole")
    records_at(place, 6, day=months_ago(1))
    with django_assert_max_num_queries(20) as one_month:
        page.get(f"/activites/lieux/{place.pk}/")
    for month in range(2, 12):
        records_at(place, 6, day=months_ago(month), themes=["email", "health"])
    with django_assert_max_num_queries(len(one_month.captured_queries)):
        page.get(f"/activites/lieux/{place.pk}/")
