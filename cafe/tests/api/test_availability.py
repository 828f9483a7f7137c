"""GET /api/cafe/bookings/availability/: the answer's exact shape, who may ask for
which branch, and bad input (400 naming the field)."""

import datetime

import pytest

from accounts.models import Role
from cafe.floor.models import OpeningHours, Zone
from cafe.tests.factories import BranchFactory, TableFactory, UserFactory, staff_of

pytestmark = pytest.mark.django_db

URL = "/api/cafe/bookings/availability/"
DAY = datetime.date(2099, 3, 13)  # a Friday, far ahead: no start is in the past


@pytest.fixture
def branch():
    branch = BranchFactory(timezone="Europe/Moscow", booking_duration=90, booking_buffer=15, booking_step=30)
    OpeningHours.unscoped.create(
        company=branch.company, branch=branch, weekday=DAY.weekday(), opens=datetime.time(18), closes=datetime.time(19)
    )
    return branch


def test_the_answer(branch, client_for):
    hall = Zone.unscoped.create(company=branch.company, branch=branch, name="Hall")
    one = TableFactory(branch=branch, number=1, seats=2, zone=hall)
    two = TableFactory(branch=branch, number=2, seats=2, zone=hall)
    five = TableFactory(branch=branch, number=5, seats=4)

    answer = client_for(staff_of(branch)).get(URL, {"date": DAY.isoformat(), "guests": 4})

    assert answer.status_code == 200, answer.json()
    options = [
        {"tables": [{"id": str(five.pk), "number": 5, "seats": 4, "zone": None, "zone_name": None}], "seats": 4},
        {
            "tables": [
                {"id": str(one.pk), "number": 1, "seats": 2, "zone": str(hall.pk), "zone_name": "Hall"},
                {"id": str(two.pk), "number": 2, "seats": 2, "zone": str(hall.pk), "zone_name": "Hall"},
            ],
            "seats": 4,
        },
    ]
    assert answer.json() == {
        "branch": str(branch.pk),
        "date": "2099-03-13",
        "timezone": "Europe/Moscow",
        "guests": 4,
        "duration": 90,
        "buffer": 15,
        "step": 30,
        "slots": [
            {"start": "2099-03-13T18:00:00+03:00", "options": options},
            {"start": "2099-03-13T18:30:00+03:00", "options": options},
        ],
    }


def test_duration_is_the_callers_when_given(branch, client_for):
    TableFactory(branch=branch, number=1)
    answer = client_for(staff_of(branch)).get(URL, {"date": DAY.isoformat(), "guests": 2, "duration": 60})
    assert answer.json()["duration"] == 60


def test_owner_names_the_branch_and_must_name_one(branch, client_for):
    TableFactory(branch=branch, number=1)
    owner = UserFactory(role=Role.OWNER, branch=None, company=branch.company)
    client = client_for(owner)

    assert client.get(URL, {"date": DAY.isoformat(), "guests": 2, "branch": str(branch.pk)}).status_code == 200
    missing = client.get(URL, {"date": DAY.isoformat(), "guests": 2})
    assert missing.status_code == 400
    assert list(missing.json()) == ["branch"]


def test_another_branch_or_company_is_not_found(branch, client_for, settings):
    settings.LANGUAGE_CODE = "en"
    waiter = staff_of(branch)
    for other in (BranchFactory(company=branch.company), BranchFactory()):
        answer = client_for(waiter).get(URL, {"date": DAY.isoformat(), "guests": 2, "branch": str(other.pk)})
        assert answer.status_code == 400
        assert answer.json() == {"branch": ["Branch not found."]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"guests": 2}, "date"),
        ({"date": "13.03.2099", "guests": 2}, "date"),
        ({"date": "2099-02-30", "guests": 2}, "date"),
        ({"date": "0001-01-01", "guests": 2}, "date"),
        ({"date": "2099-03-13"}, "guests"),
        ({"date": "2099-03-13", "guests": 0}, "guests"),
        ({"date": "2099-03-13", "guests": 101}, "guests"),
        ({"date": "2099-03-13", "guests": "two"}, "guests"),
        ({"date": "2099-03-13", "guests": 2, "duration": 14}, "duration"),
        ({"date": "2099-03-13", "guests": 2, "duration": 721}, "duration"),
        ({"date": "2099-03-13", "guests": 2, "branch": "nope"}, "branch"),
    ],
)
def test_bad_input_names_the_field(branch, client_for, query, field, settings):
    settings.LANGUAGE_CODE = "en"
    answer = client_for(staff_of(branch)).get(URL, query)
    assert answer.status_code == 400
    assert list(answer.json()) == [field]


def test_no_writes(branch, client_for):
    assert client_for(staff_of(branch, role=Role.MANAGER)).post(URL, {}).status_code == 405


def test_anonymous_and_companyless(branch, api_client, client_for):
    assert api_client.get(URL, {"date": DAY.isoformat(), "guests": 2}).status_code == 401
    lone = UserFactory(branch=None, company=None, role="")
    assert client_for(lone).get(URL, {"date": DAY.isoformat(), "guests": 2}).status_code == 403
