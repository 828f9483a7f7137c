"""Opening hours over REST: weekly intervals and dated exceptions per branch, in its
local time; managers write, all staff read; overlaps, both-or-neither, limits; the
week view; the branch's booking settings."""

import datetime

import pytest

from accounts.models import Role
from cafe.floor.models import OpeningException, OpeningHours
from cafe.tests.factories import BranchFactory, owner_of, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def manager(client_for, branch):
    return client_for(staff_of(branch, role=Role.MANAGER))


def add(client, **body):
    return client.post("/api/cafe/opening-hours/", body, format="json", **EN)


def test_a_manager_sets_weekly_hours_and_staff_read_them(client_for, manager, branch):
    response = add(manager, weekday=4, opens="18:00", closes="02:00")

    assert response.status_code == 201, response.json()
    row = OpeningHours.unscoped.get()
    assert response.json() == {
        "id": str(row.pk),
        "branch": str(branch.pk),
        "weekday": 4,
        "opens": "18:00",
        "closes": "02:00",
    }
    waiter = client_for(staff_of(branch))
    assert waiter.get("/api/cafe/opening-hours/").json()["results"] == [response.json()]
    assert waiter.get(f"/api/cafe/opening-hours/{row.pk}/").json() == response.json()
    assert waiter.get("/api/cafe/opening-hours/?weekday=3").json()["results"] == []
    assert not Event.objects.exists()  # hours send no events


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.COOK])
def test_other_staff_cannot_change_hours(client_for, branch, role):
    row = OpeningHours.unscoped.create(
        company=branch.company, branch=branch, weekday=0, opens=datetime.time(10), closes=datetime.time(22)
    )
    client = client_for(staff_of(branch, role=role))
    assert add(client, weekday=1, opens="10:00", closes="22:00").status_code == 403
    assert client.patch(f"/api/cafe/opening-hours/{row.pk}/", {"opens": "09:00"}, format="json").status_code == 403
    assert client.delete(f"/api/cafe/opening-hours/{row.pk}/").status_code == 403
    assert client.post("/api/cafe/opening-exceptions/", {"date": "2026-12-31"}, format="json").status_code == 403
    row.refresh_from_db()
    assert row.opens == datetime.time(10)


def test_other_branches_hours_are_404_and_not_listed(client_for, manager, branch):
    sibling = BranchFactory(company=branch.company)
    foreign = BranchFactory()
    rows = [
        OpeningHours.unscoped.create(
            company=b.company, branch=b, weekday=0, opens=datetime.time(10), closes=datetime.time(22)
        )
        for b in (sibling, foreign)
    ]
    assert manager.get("/api/cafe/opening-hours/").json()["results"] == []
    for row in rows:
        assert manager.get(f"/api/cafe/opening-hours/{row.pk}/").status_code == 404
        assert manager.delete(f"/api/cafe/opening-hours/{row.pk}/").status_code == 404
    owner = client_for(owner_of(branch.company))
    assert [r["id"] for r in owner.get("/api/cafe/opening-hours/").json()["results"]] == [str(rows[0].pk)]
    assert owner.get(f"/api/cafe/opening-hours/{rows[1].pk}/").status_code == 404
    response = owner.post(
        "/api/cafe/opening-hours/",
        {"branch": str(foreign.pk), "weekday": 0, "opens": "10:00", "closes": "22:00"},
        format="json",
        **EN,
    )
    assert response.json() == {"branch": ["Branch not found."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weekday": 7, "opens": "10:00", "closes": "22:00"}, "weekday"),
        ({"weekday": -1, "opens": "10:00", "closes": "22:00"}, "weekday"),
        ({"weekday": 0, "opens": "24:00", "closes": "22:00"}, "opens"),
        ({"weekday": 0, "opens": "10:00", "closes": "9:5"}, "closes"),
        ({"weekday": 0, "opens": "\u0661\u0660:00", "closes": "22:00"}, "opens"),
        ({"weekday": 0, "opens": "10:00:00", "closes": "22:00"}, "opens"),
        ({"weekday": 0, "opens": None, "closes": "22:00"}, "opens"),
        ({"weekday": 0, "opens": "10:00"}, "closes"),
    ],
)
def test_bad_hours_are_400_naming_the_field(manager, body, field):
    response = manager.post("/api/cafe/opening-hours/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ((0, "10:00", "15:00"), (0, "14:00", "18:00")),
        ((0, "10:00", "15:00"), (0, "08:00", "22:00")),
        # Friday's late hours run into Saturday morning.
        ((4, "18:00", "02:00"), (5, "01:00", "12:00")),
        # Sunday night runs into Monday.
        ((6, "20:00", "03:00"), (0, "00:00", "10:00")),
        ((0, "00:00", "00:00"), (0, "23:00", "23:30")),
    ],
)
def test_overlapping_hours_are_refused(manager, branch, existing, new):
    weekday, opens, closes = existing
    assert add(manager, weekday=weekday, opens=opens, closes=closes).status_code == 201
    weekday, opens, closes = new
    response = add(manager, weekday=weekday, opens=opens, closes=closes)
    assert response.status_code == 400
    assert list(response.json()) == ["opens"]
    assert "overlap" in response.json()["opens"][0]
    assert OpeningHours.unscoped.count() == 1


def test_adjacent_hours_and_a_split_day_are_fine(manager):
    assert add(manager, weekday=0, opens="08:00", closes="11:00").status_code == 201
    assert add(manager, weekday=0, opens="11:00", closes="15:00").status_code == 201
    assert add(manager, weekday=0, opens="18:00", closes="02:00").status_code == 201
    assert add(manager, weekday=1, opens="02:00", closes="04:00").status_code == 201
    assert add(manager, weekday=6, opens="20:00", closes="08:00").status_code == 201


def test_moving_hours_onto_others_is_refused_and_onto_themselves_is_not(manager, branch):
    first = add(manager, weekday=0, opens="10:00", closes="15:00").json()
    add(manager, weekday=0, opens="18:00", closes="22:00")
    url = f"/api/cafe/opening-hours/{first['id']}/"
    assert manager.patch(url, {"closes": "19:00"}, format="json").status_code == 400
    assert manager.patch(url, {"closes": "16:00", "opens": "09:00"}, format="json").status_code == 200
    assert manager.put(url, {"weekday": 1, "opens": "10:00", "closes": "22:00"}, format="json").status_code == 200
    assert manager.delete(url).status_code == 204
    assert OpeningHours.unscoped.count() == 1


def test_hours_past_the_limit_answer_409(manager, settings):
    settings.BRANCH_MAX_OPENING_HOURS = 2
    add(manager, weekday=0, opens="10:00", closes="12:00")
    add(manager, weekday=1, opens="10:00", closes="12:00")
    response = add(manager, weekday=2, opens="10:00", closes="12:00")
    assert response.status_code == 409
    assert response.json() == {"detail": "A branch has at most 2 opening hours (BRANCH_MAX_OPENING_HOURS)."}


# Exceptions


def exception(client, **body):
    return client.post("/api/cafe/opening-exceptions/", body, format="json", **EN)


def test_a_closed_day_and_a_short_day(manager, branch):
    closed = exception(manager, date="2026-12-31", note="New Year's Eve")
    short = exception(manager, date="2026-12-24", opens="12:00", closes="16:00")

    assert closed.status_code == 201, closed.json()
    row = OpeningException.unscoped.get(date="2026-12-31")
    assert closed.json() == {
        "id": str(row.pk),
        "branch": str(branch.pk),
        "date": "2026-12-31",
        "opens": None,
        "closes": None,
        "closed": True,
        "note": "New Year's Eve",
    }
    assert (short.json()["closed"], short.json()["opens"]) == (False, "12:00")
    listed = manager.get("/api/cafe/opening-exceptions/").json()["results"]
    assert [item["date"] for item in listed] == ["2026-12-24", "2026-12-31"]
    ranged = manager.get("/api/cafe/opening-exceptions/?from=2026-12-25&to=2027-01-10").json()["results"]
    assert [item["date"] for item in ranged] == ["2026-12-31"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-12-31", "opens": "10:00"}, "closes"),
        ({"date": "2026-12-31", "closes": "10:00"}, "opens"),
        ({"date": "31.12.2026"}, "date"),
        ({"date": "1999-12-31"}, "date"),
        ({"date": "2026-12-31", "note": "x" * 201}, "note"),
        ({"date": "2026-12-31", "opens": "25:00", "closes": "10:00"}, "opens"),
    ],
)
def test_bad_exceptions_are_400_naming_the_field(manager, body, field):
    response = exception(manager, **body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not OpeningException.unscoped.exists()


def test_a_date_is_closed_or_open_in_intervals_that_do_not_overlap(manager):
    assert exception(manager, date="2026-12-24", opens="12:00", closes="16:00").status_code == 201
    assert exception(manager, date="2026-12-24", opens="18:00", closes="01:00").status_code == 201
    overlap = exception(manager, date="2026-12-24", opens="15:00", closes="17:00")
    assert overlap.json() == {"opens": ["These hours overlap the date's 12:00–16:00."]}
    closed = exception(manager, date="2026-12-24")
    assert list(closed.json()) == ["date"]
    assert exception(manager, date="2026-12-31").status_code == 201
    twice = exception(manager, date="2026-12-31")
    assert twice.json() == {
        "date": ["A date is either closed all day or open at given hours; this date already has an exception."]
    }
    assert list(exception(manager, date="2026-12-31", opens="10:00", closes="12:00").json()) == ["date"]
    assert OpeningException.unscoped.count() == 3


def test_patching_one_half_of_an_exception_is_checked_whole(manager):
    row = exception(manager, date="2026-12-24", opens="12:00", closes="16:00").json()
    url = f"/api/cafe/opening-exceptions/{row['id']}/"
    response = manager.patch(url, {"opens": None}, format="json", **EN)
    assert response.json() == {"opens": ["Give both opens and closes, or neither for a day closed all day."]}
    closed = manager.patch(url, {"opens": None, "closes": None}, format="json").json()
    assert closed["closed"] is True


def test_exceptions_past_the_limit_answer_409(manager, settings):
    settings.BRANCH_MAX_OPENING_EXCEPTIONS = 1
    exception(manager, date="2026-12-31")
    response = exception(manager, date="2027-01-01")
    assert response.status_code == 409
    assert response.json() == {"detail": "A branch has at most 1 opening exceptions (BRANCH_MAX_OPENING_EXCEPTIONS)."}


# The week


def test_the_week_shows_each_dates_hours_with_exceptions_in_place(client_for, manager, branch):
    branch.timezone = "Europe/Berlin"
    branch.save()
    for weekday in range(5):
        add(manager, weekday=weekday, opens="10:00", closes="22:00")
    add(manager, weekday=4, opens="23:00", closes="02:00")
    exception(manager, date="2026-12-24", opens="12:00", closes="16:00", note="Christmas Eve")
    exception(manager, date="2026-12-25", note="Christmas")

    body = client_for(staff_of(branch)).get("/api/cafe/opening-hours/week/?start=2026-12-21").json()

    assert (body["branch"], body["timezone"]) == (str(branch.pk), "Europe/Berlin")
    assert body["days"] == [
        {"date": "2026-12-21", "weekday": 0, "exception": False, "closed": False,
         "hours": [{"opens": "10:00", "closes": "22:00"}], "note": ""},
        {"date": "2026-12-22", "weekday": 1, "exception": False, "closed": False,
         "hours": [{"opens": "10:00", "closes": "22:00"}], "note": ""},
        {"date": "2026-12-23", "weekday": 2, "exception": False, "closed": False,
         "hours": [{"opens": "10:00", "closes": "22:00"}], "note": ""},
        {"date": "2026-12-24", "weekday": 3, "exception": True, "closed": False,
         "hours": [{"opens": "12:00", "closes": "16:00"}], "note": "Christmas Eve"},
        {"date": "2026-12-25", "weekday": 4, "exception": True, "closed": True, "hours": [], "note": "Christmas"},
        {"date": "2026-12-26", "weekday": 5, "exception": False, "closed": True, "hours": [], "note": ""},
        {"date": "2026-12-27", "weekday": 6, "exception": False, "closed": True, "hours": [], "note": ""},
    ]  # fmt: skip


def test_the_week_starts_today_and_a_company_wide_user_names_the_branch(client_for, branch):
    owner = client_for(owner_of(branch.company))
    assert owner.get("/api/cafe/opening-hours/week/", **EN).json() == {"branch": ["This field is required."]}
    foreign = BranchFactory()
    assert owner.get(f"/api/cafe/opening-hours/week/?branch={foreign.pk}", **EN).status_code == 400
    body = owner.get(f"/api/cafe/opening-hours/week/?branch={branch.pk}").json()
    assert len(body["days"]) == 7
    # A branch without hours is open all day.
    assert body["days"][0]["hours"] == [{"opens": "00:00", "closes": "00:00"}]
    bad = owner.get(f"/api/cafe/opening-hours/week/?branch={branch.pk}&start=tomorrow", **EN)
    assert list(bad.json()) == ["start"]


def test_idempotency_key_replays_an_exception(manager):
    first = manager.post(
        "/api/cafe/opening-exceptions/", {"date": "2026-12-31"}, format="json", HTTP_IDEMPOTENCY_KEY="hol-1"
    )
    again = manager.post(
        "/api/cafe/opening-exceptions/", {"date": "2026-12-31"}, format="json", HTTP_IDEMPOTENCY_KEY="hol-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert OpeningException.unscoped.count() == 1


# The branch's booking settings


def test_an_owner_sets_the_books_settings(client_for, branch):
    owner = client_for(owner_of(branch.company))
    body = {"booking_duration": 90, "booking_buffer": 10, "booking_step": 30, "booking_lead": 45, "booking_grace": 15}
    response = owner.patch(f"/api/users/branches/{branch.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert {key: response.json()[key] for key in body} == body
    branch.refresh_from_db()
    assert (branch.booking_duration, branch.booking_step, branch.booking_grace) == (90, 30, 15)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("booking_duration", 14),
        ("booking_duration", 721),
        ("booking_buffer", -1),
        ("booking_buffer", 241),
        ("booking_step", 4),
        ("booking_step", 121),
        ("booking_step", 7),
        ("booking_lead", 1441),
        ("booking_grace", 241),
        ("booking_grace", "soon"),
    ],
)
def test_bad_booking_settings_are_400_naming_the_field(client_for, branch, field, value):
    response = client_for(owner_of(branch.company)).patch(
        f"/api/users/branches/{branch.pk}/", {field: value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_managers_do_not_change_the_books_settings(client_for, branch):
    response = client_for(staff_of(branch, role=Role.MANAGER)).patch(
        f"/api/users/branches/{branch.pk}/", {"booking_step": 30}, format="json"
    )
    assert response.status_code == 403
    branch.refresh_from_db()
    assert branch.booking_step == 15


def test_idempotency_key_replays_a_branch_settings_change(client_for, branch):
    owner = client_for(owner_of(branch.company))
    url = f"/api/users/branches/{branch.pk}/"
    first = owner.patch(url, {"booking_lead": 30}, format="json", HTTP_IDEMPOTENCY_KEY="lead-1")
    again = owner.patch(url, {"booking_lead": 30}, format="json", HTTP_IDEMPOTENCY_KEY="lead-1")
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert owner.patch(url, {"booking_lead": 45}, format="json", HTTP_IDEMPOTENCY_KEY="lead-1").status_code == 422
    branch.refresh_from_db()
    assert branch.booking_lead == 30
