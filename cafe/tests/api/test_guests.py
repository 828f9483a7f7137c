"""The guest book through the API: adding and finding guests by phone or name, who
sees phones in full, figures and history from orders and bookings, export and
erasure on request, other companies' guests, and orders linked on the fly."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from cafe.bookings.models import Booking, BookingStatus
from cafe.guests.models import Guest
from cafe.orders.models import Order
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    TableFactory,
    UserFactory,
    order_for,
    owner_of,
    paid,
    staff_of,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
INVALID_PHONE = "Enter a valid phone number: + and the country code, or a number of the default region (RU)."
ANNA = "+79161234567"
GUEST_FIELDS = [
    "id", "name", "phone", "note", "tags", "visits", "last_visit", "total_spent", "no_shows", "erased_at",
    "created_at", "updated_at",
]  # fmt: skip


def guest_of(company, name="Anna", phone=ANNA, **fields) -> Guest:
    return Guest.objects.create(company=company, name=name, phone=phone, **fields)


def booking_of(guest, branch, *, status=BookingStatus.BOOKED, hours=24, **fields) -> Booking:
    starts = timezone.now() + timedelta(hours=hours)
    return Booking.objects.create(
        company=branch.company,
        branch=branch,
        guest=guest,
        guest_name=guest.name,
        guest_phone=guest.phone,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        guests=2,
        status=status,
        **fields,
    )


@pytest.fixture
def dish(branch):
    return MenuItemFactory(category__company=branch.company, price=Decimal("350.00"))


def closed_order(waiter, dish, guest, *, quantity=2):
    order = order_for(waiter, TableFactory(branch=waiter.branch), [(dish, quantity)])
    Order.unscoped.filter(pk=order.pk).update(guest=guest)
    return paid(order, "card", shift=None)


# Adding and changing


def test_a_waiter_adds_a_guest_the_phone_in_e164_shown_masked(client_for, branch):
    waiter = staff_of(branch)
    body = {"name": "Anna", "phone": "8 (916) 123-45-67", "note": "No nuts", "tags": ["regular", "Regular", "vegan"]}
    response = client_for(waiter).post("/api/cafe/guests/", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    guest = Guest.unscoped.get()
    assert list(answer) == GUEST_FIELDS
    assert {key: answer[key] for key in GUEST_FIELDS[:10]} == {
        "id": str(guest.pk),
        "name": "Anna",
        "phone": "+7 *** ***-**-67",
        "note": "No nuts",
        "tags": ["regular", "vegan"],  # a tag repeated in another case is kept once
        "visits": 0,
        "last_visit": None,
        "total_spent": "0.00",
        "no_shows": 0,
        "erased_at": None,
    }
    assert (guest.phone, guest.company_id) == (ANNA, branch.company_id)
    # Managers and above see it in full.
    manager = staff_of(branch, Role.MANAGER)
    assert client_for(manager).get(f"/api/cafe/guests/{guest.pk}/").json()["phone"] == ANNA
    assert client_for(owner_of(branch.company)).get(f"/api/cafe/guests/{guest.pk}/").json()["phone"] == ANNA
    assert client_for(staff_of(branch, Role.CASHIER)).get(f"/api/cafe/guests/{guest.pk}/").json()["phone"] == (
        "+7 *** ***-**-67"
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "Anna", "phone": "call me"}, {"phone": [INVALID_PHONE]}),
        ({"name": "Anna", "phone": "+7 916 12"}, {"phone": [INVALID_PHONE]}),
        ({"name": "Anna", "phone": "1" * 33}, {"phone": ["Ensure this field has no more than 32 characters."]}),
        ({"note": "x"}, {"name": ["Give the guest a name or a phone."]}),
        ({"name": "x" * 121}, {"name": ["Ensure this field has no more than 120 characters."]}),
        ({"name": "A", "note": "x" * 501}, {"note": ["Ensure this field has no more than 500 characters."]}),
        ({"name": "A", "tags": ["x" * 33]}, {"tags": {"0": ["Ensure this field has no more than 32 characters."]}}),
        ({"name": "A", "tags": [str(n) for n in range(21)]},
         {"tags": ["Ensure this field has no more than 20 elements."]}),
        ({"name": "A", "tags": "vip"}, {"tags": ['Expected a list of items but got type "str".']}),
    ],
)  # fmt: skip
def test_malformed_guests_answer_400_naming_the_field(client_for, branch, body, errors):
    response = client_for(staff_of(branch)).post("/api/cafe/guests/", body, format="json", **EN)
    assert (response.status_code, response.json()) == (400, errors)
    assert not Guest.unscoped.exists()


def test_a_phone_is_one_guest_per_company(client_for, branch):
    guest_of(branch.company)
    guest_of(BranchFactory().company)  # another company may know the same phone
    client = client_for(staff_of(branch))
    response = client.post("/api/cafe/guests/", {"name": "Anne", "phone": "+7 916 123 45 67"}, format="json", **EN)
    assert (response.status_code, response.json()) == (400, {"phone": ["A guest with this phone already exists."]})
    other = guest_of(branch.company, name="Boris", phone="+79167654321")
    response = client.patch(f"/api/cafe/guests/{other.pk}/", {"phone": "89161234567"}, format="json", **EN)
    assert (response.status_code, response.json()) == (400, {"phone": ["A guest with this phone already exists."]})


def test_a_guest_is_changed_in_part(client_for, branch):
    guest = guest_of(branch.company, note="old")
    response = client_for(staff_of(branch)).patch(
        f"/api/cafe/guests/{guest.pk}/", {"tags": ["vip"], "phone": "+7 916 000-00-01"}, format="json"
    )
    assert response.status_code == 200, response.json()
    guest.refresh_from_db()
    assert (guest.name, guest.note, guest.tags, guest.phone) == ("Anna", "old", ["vip"], "+79160000001")


def test_the_book_is_bounded_per_company(client_for, branch, settings):
    settings.GUESTS_MAX_PER_COMPANY = 1
    guest_of(branch.company)
    response = client_for(staff_of(branch)).post("/api/cafe/guests/", {"name": "Boris"}, format="json", **EN)
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "A company keeps at most 1 guests (GUESTS_MAX_PER_COMPANY)."},
    )


def test_creating_a_guest_accepts_an_idempotency_key(client_for, branch):
    client = client_for(staff_of(branch))
    first = client.post("/api/cafe/guests/", {"name": "Anna"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/cafe/guests/", {"name": "Anna"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert Guest.unscoped.count() == 1


# Finding


def test_guests_are_found_by_name_or_by_the_whole_phone(client_for, branch):
    anna = guest_of(branch.company)
    boris = guest_of(branch.company, name="Boris Annenkov", phone="+79167654321")
    guest_of(branch.company, name="Zoe", phone="")
    guest_of(BranchFactory().company, name="Anna Elsewhere", phone="+79160000002")
    guest_of(branch.company, name="Anna Erased", phone="", erased_at=timezone.now())
    client = client_for(staff_of(branch))

    def found(**query) -> list[str]:
        response = client.get("/api/cafe/guests/", query)
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert found() == ["Anna", "Boris Annenkov", "Zoe"]
    assert found(q="ANN") == ["Anna", "Boris Annenkov"]
    assert found(phone="8 916 123-45-67") == ["Anna"]
    assert found(phone="+7 916 765 43 21") == ["Boris Annenkov"]
    # A waiter sees phones masked: part of the digits finds nothing, so they cannot be read back.
    assert found(q="4567") == []
    assert (anna.pk, boris.pk) != (None, None)


def test_managers_find_guests_by_part_of_the_phone(client_for, branch):
    guest_of(branch.company)
    guest_of(branch.company, name="Boris", phone="+79167654321")
    client = client_for(staff_of(branch, Role.MANAGER))
    shown = client.get("/api/cafe/guests/", {"q": "123 45"}).json()["results"]
    assert [(row["name"], row["phone"]) for row in shown] == [("Anna", ANNA)]
    assert [row["name"] for row in client.get("/api/cafe/guests/", {"q": "7916"}).json()["results"]] == [
        "Anna",
        "Boris",
    ]


def test_search_terms_are_bounded_and_checked(client_for, branch):
    client = client_for(staff_of(branch))
    long = client.get("/api/cafe/guests/", {"q": "x" * 101}, **EN)
    assert (long.status_code, long.json()) == (400, {"q": ["Ensure this field has no more than 100 characters."]})
    bad = client.get("/api/cafe/guests/", {"phone": "nope"}, **EN)
    assert (bad.status_code, bad.json()) == (400, {"phone": [INVALID_PHONE]})


# Who may


def test_cooks_do_not_use_the_guest_book(client_for, branch):
    guest = guest_of(branch.company)
    client = client_for(staff_of(branch, Role.COOK))
    assert client.get("/api/cafe/guests/").status_code == 403
    assert client.get(f"/api/cafe/guests/{guest.pk}/").status_code == 403
    assert client.post("/api/cafe/guests/", {"name": "X"}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("role", "export", "erase"),
    [
        (Role.OWNER, 200, 200),
        (Role.ADMIN, 200, 200),
        (Role.MANAGER, 403, 200),
        (Role.WAITER, 403, 403),
        (Role.CASHIER, 403, 403),
        (Role.COOK, 403, 403),
    ],
)
def test_export_is_for_company_wide_roles_and_erasing_for_managers_and_above(client_for, branch, role, export, erase):
    guest = guest_of(branch.company)
    user = UserFactory(role=role, company=branch.company, branch=None) if role in ("owner", "admin") else None
    client = client_for(user or staff_of(branch, role))
    assert client.get(f"/api/cafe/guests/{guest.pk}/export/").status_code == export
    assert client.post(f"/api/cafe/guests/{guest.pk}/erase/").status_code == erase
    guest.refresh_from_db()
    assert (guest.erased_at is not None) == (erase == 200)


def test_another_companys_guest_is_not_found(client_for, branch):
    foreign = guest_of(BranchFactory().company)
    client = client_for(owner_of(branch.company))
    for method, path in [
        ("get", f"/api/cafe/guests/{foreign.pk}/"),
        ("patch", f"/api/cafe/guests/{foreign.pk}/"),
        ("get", f"/api/cafe/guests/{foreign.pk}/history/"),
        ("get", f"/api/cafe/guests/{foreign.pk}/export/"),
        ("post", f"/api/cafe/guests/{foreign.pk}/erase/"),
    ]:
        response = getattr(client, method)(path, {"name": "Mine"}, format="json")
        assert (response.status_code, list(response.json())) == (404, ["detail"]), path
    assert client.get("/api/cafe/guests/").json()["results"] == []
    foreign.refresh_from_db()
    assert (foreign.name, foreign.erased_at) == ("Anna", None)


# Figures and history


def test_figures_come_from_closed_orders_and_missed_bookings(client_for, branch, dish):
    waiter = staff_of(branch)
    guest = guest_of(branch.company)
    first = closed_order(waiter, dish, guest, quantity=2)  # 700.00
    last = closed_order(waiter, dish, guest, quantity=1)  # 350.00
    order_for(waiter, TableFactory(branch=branch), [(dish, 5)])  # open, and not the guest's
    open_one = order_for(waiter, TableFactory(branch=branch), [(dish, 5)])
    Order.unscoped.filter(pk=open_one.pk).update(guest=guest)  # still open: not a visit
    refund = client_for(owner_of(branch.company)).post(
        f"/api/cafe/orders/{first.pk}/refund/", {"method": "card", "reason": "Cold", "amount": "100.00"}, format="json"
    )
    assert refund.status_code == 201, refund.json()
    booking_of(guest, branch, status=BookingStatus.NO_SHOW, hours=-30)
    booking_of(guest, branch, status=BookingStatus.CANCELLED, hours=-50)
    # Another branch's visit: a company-wide role counts it, the branch's waiter does not.
    elsewhere = BranchFactory(company=branch.company)
    closed_order(staff_of(elsewhere), MenuItemFactory(category__company=branch.company, price=Decimal("50.00")), guest)

    mine = client_for(waiter).get(f"/api/cafe/guests/{guest.pk}/").json()
    assert (mine["visits"], mine["total_spent"], mine["no_shows"]) == (2, "950.00", 1)
    assert mine["last_visit"] is not None
    everything = client_for(owner_of(branch.company)).get(f"/api/cafe/guests/{guest.pk}/").json()
    assert (everything["visits"], everything["total_spent"], everything["no_shows"]) == (3, "1050.00", 1)
    last.refresh_from_db()
    listed = client_for(waiter).get("/api/cafe/guests/").json()["results"]
    assert [(row["visits"], row["total_spent"]) for row in listed] == [(2, "950.00")]


def test_history_lists_orders_and_bookings_newest_first_page_by_page(client_for, branch, dish):
    waiter = staff_of(branch)
    guest = guest_of(branch.company)
    old = closed_order(waiter, dish, guest)
    Order.unscoped.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    recent = closed_order(waiter, dish, guest, quantity=1)
    missed = booking_of(guest, branch, status=BookingStatus.NO_SHOW, hours=-48)
    coming = booking_of(guest, branch, hours=24)
    client = client_for(waiter)
    response = client.get(f"/api/cafe/guests/{guest.pk}/history/", {"limit": 3})
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["count"] == 4
    assert [(row["kind"], row["id"], row["status"], row["total"]) for row in answer["results"]] == [
        ("booking", str(coming.pk), "booked", None),
        ("order", str(recent.pk), "closed", "350.00"),
        ("booking", str(missed.pk), "no_show", None),
    ]
    rest = client.get(f"/api/cafe/guests/{guest.pk}/history/", {"limit": 3, "offset": 3}).json()["results"]
    assert [(row["kind"], row["id"], row["total"], row["branch"]) for row in rest] == [
        ("order", str(old.pk), "700.00", str(branch.pk))
    ]


# Export and erasure


def test_export_holds_everything_about_the_guest(client_for, branch, dish):
    guest = guest_of(branch.company, note="No nuts", tags=["vip"])
    order = closed_order(staff_of(branch), dish, guest)
    Order.unscoped.filter(pk=order.pk).update(customer_name="Anna", customer_phone=ANNA)
    booking = booking_of(guest, branch, note="Birthday")
    response = client_for(owner_of(branch.company)).get(f"/api/cafe/guests/{guest.pk}/export/")
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert list(answer) == ["guest", "orders", "bookings", "truncated"]
    assert (answer["guest"]["name"], answer["guest"]["phone"], answer["guest"]["note"], answer["guest"]["tags"]) == (
        "Anna",
        ANNA,
        "No nuts",
        ["vip"],
    )
    assert [(o["id"], o["total"], o["customer_name"], o["customer_phone"]) for o in answer["orders"]] == [
        (str(order.pk), "700.00", "Anna", ANNA)
    ]
    assert [(b["id"], b["guest_name"], b["guest_phone"], b["note"]) for b in answer["bookings"]] == [
        (str(booking.pk), "Anna", ANNA, "Birthday")
    ]
    assert answer["truncated"] is False


def test_erasing_removes_personal_data_and_keeps_the_money(client_for, branch, dish):
    waiter = staff_of(branch)
    owner = owner_of(branch.company)
    guest = guest_of(branch.company, note="No nuts", tags=["vip"])
    order = closed_order(waiter, dish, guest)
    Order.unscoped.filter(pk=order.pk).update(customer_name="Anna", customer_phone=ANNA)
    booking = booking_of(guest, branch, note="Birthday")
    untouched = booking_of(guest_of(branch.company, name="Boris", phone="+79167654321"), branch, hours=30)
    day = timezone.localdate(order.closed_at).isoformat()
    report = {"branch": str(branch.pk), "date": day}
    owner_client = client_for(owner)
    before = owner_client.get("/api/cafe/reports/daily/", report).json()
    manager = client_for(staff_of(branch, Role.MANAGER))

    response = manager.post(f"/api/cafe/guests/{guest.pk}/erase/")
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert (answer["name"], answer["phone"], answer["note"], answer["tags"]) == ("", "", "", [])
    assert answer["erased_at"] is not None
    assert (answer["visits"], answer["total_spent"]) == (1, "700.00")  # kept, anonymously
    order.refresh_from_db()
    booking.refresh_from_db()
    untouched.refresh_from_db()
    assert (order.customer_name, order.customer_phone, order.guest_id, order.total) == (
        "",
        "",
        guest.pk,
        Decimal("700.00"),
    )
    assert (booking.guest_name, booking.guest_phone, booking.note) == ("", "", "")
    assert (untouched.guest_name, untouched.guest_phone) == ("Boris", "+79167654321")
    assert owner_client.get("/api/cafe/reports/daily/", report).json() == before

    again = manager.post(f"/api/cafe/guests/{guest.pk}/erase/")
    assert (again.status_code, again.json()) == (200, answer)  # idempotent
    # An erased guest is out of the book: not listed, not changed, and their phone is free.
    assert [row["name"] for row in manager.get("/api/cafe/guests/").json()["results"]] == ["Boris"]
    changed = manager.patch(f"/api/cafe/guests/{guest.pk}/", {"name": "Anna"}, format="json", **EN)
    assert (changed.status_code, changed.json()) == (
        409,
        {"detail": "This guest's data was erased; add them again as a new guest."},
    )
    assert manager.post("/api/cafe/guests/", {"name": "Anna", "phone": ANNA}, format="json").status_code == 201


# Orders linked to their guest


def test_a_takeaway_phone_finds_the_guest_or_adds_one(client_for, branch, dish):
    known = guest_of(branch.company, name="")
    client = client_for(staff_of(branch, Role.CASHIER))
    body = {"service": "takeaway", "items": [{"menu_item": str(dish.pk), "quantity": 1}]}
    first = client.post("/api/cafe/orders/", {**body, "customer_name": "Anna", "customer_phone": "8 916 123-45-67"})
    assert first.status_code == 201, first.json()
    assert (first.json()["guest"], first.json()["customer_phone"]) == (str(known.pk), "+7 *** ***-**-67")
    known.refresh_from_db()
    assert known.name == "Anna"  # a guest without a name gets the one given
    other = client.post("/api/cafe/orders/", {**body, "customer_name": "Boris", "customer_phone": "+7 916 765 43 21"})
    boris = Guest.unscoped.get(phone="+79167654321")
    assert (other.json()["guest"], boris.name, boris.company_id) == (str(boris.pk), "Boris", branch.company_id)
    nobody = client.post("/api/cafe/orders/", body, format="json")
    assert nobody.json()["guest"] is None
    assert Guest.unscoped.count() == 2


def test_a_dine_in_order_names_its_guest(client_for, branch, dish):
    guest = guest_of(branch.company)
    table = TableFactory(branch=branch)
    client = client_for(staff_of(branch))
    body = {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(dish.pk), "quantity": 1}]}
    response = client.post("/api/cafe/orders/", {**body, "guest": str(guest.pk)}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["guest"] == str(guest.pk)
    assert Order.unscoped.get().guest_id == guest.pk


@pytest.mark.parametrize("whose", ["foreign", "erased", "missing"])
def test_an_order_for_a_guest_not_in_the_book_is_400(client_for, branch, dish, whose):
    guest = {
        "foreign": lambda: guest_of(BranchFactory().company),
        "erased": lambda: guest_of(branch.company, name="", phone="", erased_at=timezone.now()),
        "missing": lambda: Guest(pk="00000000-0000-4000-8000-000000000000"),
    }[whose]()
    body = {"table": str(TableFactory(branch=branch).pk), "guests": 2, "guest": str(guest.pk)}
    response = client_for(staff_of(branch)).post("/api/cafe/orders/", body, format="json", **EN)
    assert (response.status_code, response.json()) == (400, {"guest": ["Guest not found."]})
    assert not Order.unscoped.exists()


def test_orders_go_on_when_the_book_is_full(client_for, branch, dish, settings):
    settings.GUESTS_MAX_PER_COMPANY = 1
    guest_of(branch.company, name="Boris", phone="+79167654321")
    body = {"service": "takeaway", "customer_phone": ANNA, "items": [{"menu_item": str(dish.pk), "quantity": 1}]}
    response = client_for(staff_of(branch)).post("/api/cafe/orders/", body, format="json")
    assert (response.status_code, response.json()["guest"]) == (201, None)
    assert Order.unscoped.get().customer_phone == ANNA
