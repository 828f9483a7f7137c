"""Suppliers and the storeroom's documents (docs/inventory.md): purchases move the
average cost, write-offs take stock out at it, transfers move it between branches
at the source's cost, counts post their variance; drafts only change when posted."""

import datetime
from decimal import Decimal

import pytest

from accounts.tenancy import tenant_for
from cafe.purchasing.models import StockDocument
from cafe.store.models import Ingredient, MovementKind, StockLevel, StockMovement
from cafe.store.services import recipe_create
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, owner_of, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db

DAY = "2026-03-14"


@pytest.fixture
def manager(branch):
    return staff_of(branch, "manager")


@pytest.fixture
def cheese(branch):
    return Ingredient.objects.create(company=branch.company, name="Cheese", unit="g")


@pytest.fixture
def milk(branch):
    return Ingredient.objects.create(company=branch.company, name="Milk", unit="ml")


@pytest.fixture
def supplier(client_for, manager):
    response = client_for(manager).post("/api/cafe/suppliers/", {"name": "Fresh Farm"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _level(branch, ingredient) -> StockLevel:
    return StockLevel.unscoped.get(branch=branch, ingredient=ingredient)


def _post(api, path: str, body: dict, **headers) -> dict:
    created = api.post(f"/api/cafe/{path}/", body, format="json", **headers)
    assert created.status_code == 201, created.json()
    posted = api.post(f"/api/cafe/{path}/{created.json()['id']}/post/", format="json", **headers)
    assert posted.status_code == 200, posted.json()
    return posted.json()


def _buy(api, supplier, ingredient, quantity: str, unit: str, price: str) -> dict:
    line = {"ingredient": str(ingredient.pk), "quantity": quantity, "unit": unit, "price": price}
    return _post(api, "purchases", {"supplier": supplier["id"], "date": DAY, "lines": [line]})


def test_suppliers_crud_and_a_supplier_with_deliveries_stays(client_for, manager, supplier, cheese):
    api = client_for(manager)
    assert api.get("/api/cafe/suppliers/").json()["results"] == [
        {"id": supplier["id"], "name": "Fresh Farm", "phone": "", "email": "", "tax_id": "", "note": ""}
    ]
    same = api.post("/api/cafe/suppliers/", {"name": "Fresh Farm"}, format="json")
    assert same.status_code == 400
    assert list(same.json()) == ["name"]
    renamed = api.patch(f"/api/cafe/suppliers/{supplier['id']}/", {"phone": "+7 495 000-00-00"}, format="json")
    assert renamed.json()["phone"] == "+7 495 000-00-00"
    _buy(api, supplier, cheese, "1", "kg", "800.00")
    refused = api.delete(f"/api/cafe/suppliers/{supplier['id']}/")
    assert refused.status_code == 409
    spare = api.post("/api/cafe/suppliers/", {"name": "Spare"}, format="json").json()
    assert api.delete(f"/api/cafe/suppliers/{spare['id']}/").status_code == 204


def test_a_purchase_enters_stock_and_moves_the_average_cost(client_for, manager, branch, supplier, cheese):
    api = client_for(manager)
    draft = api.post(
        "/api/cafe/purchases/",
        {
            "supplier": supplier["id"],
            "date": DAY,
            "invoice": "INV-1",
            "lines": [{"ingredient": str(cheese.pk), "quantity": "2", "unit": "kg", "price": "800.00"}],
        },
        format="json",
    ).json()
    assert (draft["status"], draft["total"], draft["lines"][0]["total"]) == ("draft", "1600.00", "1600.00")
    assert not StockMovement.unscoped.exists()  # a draft changes nothing
    posted = api.post(f"/api/cafe/purchases/{draft['id']}/post/", HTTP_IDEMPOTENCY_KEY="p1").json()
    assert posted["status"] == "posted"
    assert posted["lines"][0]["unit_cost"] == "0.8000"
    level = _level(branch, cheese)
    assert (level.on_hand, level.avg_cost) == (Decimal("2000.000"), Decimal("0.8000"))
    # A second delivery at a higher price: the moving weighted average of what is held.
    _buy(api, supplier, cheese, "1000", "g", "1.10")
    level = _level(branch, cheese)
    assert (level.on_hand, level.avg_cost) == (Decimal("3000.000"), Decimal("0.9000"))
    # Posted once; a retry with the same key answers the same; a posted document stays.
    again = api.post(f"/api/cafe/purchases/{draft['id']}/post/", HTTP_IDEMPOTENCY_KEY="p1")
    assert again.status_code == 200
    assert api.post(f"/api/cafe/purchases/{draft['id']}/post/").status_code == 409
    assert api.delete(f"/api/cafe/purchases/{draft['id']}/").status_code == 409
    assert StockMovement.unscoped.filter(kind=MovementKind.PURCHASE).count() == 2


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"unit": "ml"}, "unit"),
        ({"price": None}, "price"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.0001"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"ingredient": "00000000-0000-4000-8000-000000000000"}, "ingredient"),
    ],
)
def test_a_bad_purchase_line_is_a_400_naming_it(client_for, manager, supplier, cheese, line, field):
    body = {"ingredient": str(cheese.pk), "quantity": "1", "unit": "kg", "price": "800.00", **line}
    body = {key: value for key, value in body.items() if value is not None}
    response = client_for(manager).post(
        "/api/cafe/purchases/", {"supplier": supplier["id"], "date": DAY, "lines": [body]}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["lines"]
    assert field in str(response.json()["lines"])
    assert not StockDocument.unscoped.exists()


def test_document_bounds(client_for, manager, supplier, cheese, settings):
    settings.STOCK_DOCUMENT_MAX_LINES = 1
    api = client_for(manager)
    line = {"ingredient": str(cheese.pk), "quantity": "1", "unit": "kg", "price": "1.00"}
    twice = api.post(
        "/api/cafe/purchases/", {"supplier": supplier["id"], "date": DAY, "lines": [line, line]}, format="json"
    )
    assert twice.status_code == 400
    assert list(twice.json()) == ["lines"]
    none = api.post("/api/cafe/purchases/", {"supplier": supplier["id"], "date": DAY, "lines": []}, format="json")
    assert none.status_code == 400
    no_supplier = api.post("/api/cafe/purchases/", {"date": DAY, "lines": [line]}, format="json")
    assert list(no_supplier.json()) == ["supplier"]
    priced = api.post("/api/cafe/write-offs/", {"date": DAY, "reason": "spoiled", "lines": [line]}, format="json")
    assert priced.status_code == 400
    no_reason = api.post("/api/cafe/write-offs/", {"date": DAY, "lines": [{**line, "price": None}]}, format="json")
    assert list(no_reason.json()) == ["reason", "lines"] or "reason" in no_reason.json()


def test_a_write_off_takes_stock_out_at_the_average_cost(client_for, manager, branch, supplier, cheese):
    api = client_for(manager)
    _buy(api, supplier, cheese, "1", "kg", "800.00")
    line = {"ingredient": str(cheese.pk), "quantity": "250", "unit": "g"}
    posted = _post(api, "write-offs", {"date": DAY, "reason": "spoiled", "lines": [line]})
    assert (posted["reason"], posted["lines"][0]["unit_cost"]) == ("spoiled", "0.8000")
    assert _level(branch, cheese).on_hand == Decimal("750.000")
    movement = StockMovement.unscoped.get(kind=MovementKind.WRITE_OFF)
    assert (movement.quantity, movement.unit_cost, str(movement.document_id)) == (
        Decimal("-250.000"),
        Decimal("0.8000"),
        posted["id"],
    )
    # More than there is: 409 naming the ingredient, nothing written.
    too_much = api.post(
        "/api/cafe/write-offs/",
        {"date": DAY, "reason": "damaged", "lines": [{**line, "quantity": "1", "unit": "kg"}]},
        format="json",
    ).json()
    refused = api.post(f"/api/cafe/write-offs/{too_much['id']}/post/")
    assert refused.status_code == 409
    assert refused.json()["ingredients"][0]["name"] == "Cheese"
    assert _level(branch, cheese).on_hand == Decimal("750.000")
    assert StockDocument.unscoped.get(pk=too_much["id"]).status == "draft"


def test_a_transfer_moves_stock_at_the_sources_cost(client_for, branch, supplier, cheese):
    owner = owner_of(branch.company)
    harbour = BranchFactory(company=branch.company, name="Harbour")
    api = client_for(owner)
    manager = staff_of(branch, "manager")
    _buy(client_for(manager), supplier, cheese, "2", "kg", "900.00")
    # The destination already holds some at another cost: its average moves.
    body = {"ingredient": str(cheese.pk), "quantity": "1", "unit": "kg", "price": "600.00"}
    _post(api, "purchases", {"supplier": supplier["id"], "date": DAY, "branch": str(harbour.pk), "lines": [body]})
    line = {"ingredient": str(cheese.pk), "quantity": "500", "unit": "g"}
    posted = _post(client_for(manager), "transfers", {"date": DAY, "to_branch": str(harbour.pk), "lines": [line]})
    assert (posted["branch"], posted["to_branch"], posted["lines"][0]["unit_cost"]) == (
        str(branch.pk),
        str(harbour.pk),
        "0.9000",
    )
    assert (_level(branch, cheese).on_hand, _level(branch, cheese).avg_cost) == (Decimal("1500.000"), Decimal("0.9000"))
    assert (_level(harbour, cheese).on_hand, _level(harbour, cheese).avg_cost) == (
        Decimal("1500.000"),
        Decimal("0.7000"),
    )
    kinds = sorted(StockMovement.unscoped.filter(document_id=posted["id"]).values_list("kind", "branch"))
    assert kinds == sorted([(MovementKind.TRANSFER_OUT, branch.pk), (MovementKind.TRANSFER_IN, harbour.pk)])
    # Not to itself, not to another company's branch.
    own = client_for(manager).post(
        "/api/cafe/transfers/", {"date": DAY, "to_branch": str(branch.pk), "lines": [line]}, format="json"
    )
    assert list(own.json()) == ["to_branch"]
    foreign = client_for(manager).post(
        "/api/cafe/transfers/", {"date": DAY, "to_branch": str(BranchFactory().pk), "lines": [line]}, format="json"
    )
    assert (foreign.status_code, list(foreign.json())) == (400, ["to_branch"])


def test_a_count_posts_its_variance_and_reports_it(client_for, manager, branch, supplier, cheese, milk):
    api = client_for(manager)
    _buy(api, supplier, cheese, "2", "kg", "800.00")
    _buy(api, supplier, milk, "3", "l", "90.00")
    lines = [
        {"ingredient": str(cheese.pk), "quantity": "1.850", "unit": "kg"},
        {"ingredient": str(milk.pk), "quantity": "3100", "unit": "ml"},
    ]
    draft = api.post("/api/cafe/stock-counts/", {"date": DAY, "lines": lines}, format="json").json()
    preview = api.get(f"/api/cafe/stock-counts/{draft['id']}/variance/").json()
    assert [(row["name"], row["variance"], row["value"]) for row in preview["rows"]] == [
        ("Cheese", "-150.000", "-120.00"),
        ("Milk", "100.000", "9.00"),
    ]
    posted = api.post(f"/api/cafe/stock-counts/{draft['id']}/post/").json()
    assert [(line["expected"], line["variance"]) for line in posted["lines"]] == [
        ("2000.000", "-150.000"),
        ("3000.000", "100.000"),
    ]
    assert _level(branch, cheese).on_hand == Decimal("1850.000")
    assert _level(branch, milk).on_hand == Decimal("3100.000")
    report = api.get(f"/api/cafe/stock-counts/{draft['id']}/variance/").json()
    assert (report["shortage"], report["surplus"], report["net"]) == ("-120.00", "9.00", "-111.00")
    assert report["rows"][0] == {
        "ingredient": str(cheese.pk),
        "name": "Cheese",
        "unit": "g",
        "expected": "2000.000",
        "counted": "1850.000",
        "variance": "-150.000",
        "unit_cost": "0.8000",
        "value": "-120.00",
    }
    csv = api.get(f"/api/cafe/stock-counts/{draft['id']}/variance/", {"format": "csv"}).content.decode().splitlines()
    assert csv[0] == "ingredient,name,unit,expected,counted,variance,unit_cost,value"
    assert csv[-1] == "net,-111.00"


def test_stock_low_and_the_stop_list_follow_a_write_off(client_for, manager, branch, supplier, cheese):
    owner = owner_of(branch.company)
    pizza = MenuItemFactory(category__company=branch.company, branch=branch, title="Pizza")
    recipe_create(
        tenant=tenant_for(owner),
        menu_item=pizza.pk,
        lines=[{"ingredient": cheese.pk, "quantity": Decimal(100), "unit": "g"}],
    )
    api = client_for(manager)
    _buy(api, supplier, cheese, "350", "g", "1.00")
    pizza.refresh_from_db()
    assert pizza.remaining == 3
    before = Event.objects.count()
    line = {"ingredient": str(cheese.pk), "quantity": "200", "unit": "g"}
    _post(api, "write-offs", {"date": DAY, "reason": "expired", "lines": [line]})
    pizza.refresh_from_db()
    assert pizza.remaining == 1
    types = list(Event.objects.order_by("seq").values_list("type", flat=True)[before:])
    assert "menu_item_updated" in types
    order_for(staff_of(branch), TableFactory(branch=branch), [(pizza, 1)])
    assert _level(branch, cheese).on_hand == Decimal("50.000")


@pytest.mark.parametrize("role", ["waiter", "cashier", "cook"])
def test_staff_below_manager_see_no_documents(client_for, branch, role):
    api = client_for(staff_of(branch, role))
    for path in ("suppliers", "purchases", "write-offs", "transfers", "stock-counts"):
        assert api.get(f"/api/cafe/{path}/").status_code == 403
        assert api.post(f"/api/cafe/{path}/", {}, format="json").status_code == 403


def test_another_companys_documents_are_404(client_for, manager, supplier, cheese):
    api = client_for(manager)
    purchase = _buy(api, supplier, cheese, "1", "kg", "1.00")
    stranger = staff_of(BranchFactory(), "manager")
    other = client_for(stranger)
    assert other.get(f"/api/cafe/purchases/{purchase['id']}/").status_code == 404
    assert other.get(f"/api/cafe/suppliers/{supplier['id']}/").status_code == 404
    assert other.get("/api/cafe/purchases/").json()["count"] == 0
    assert other.post(f"/api/cafe/purchases/{purchase['id']}/post/").status_code == 404
    # A supplier or ingredient of another company is not found.
    theirs = other.post(
        "/api/cafe/purchases/",
        {
            "supplier": supplier["id"],
            "date": DAY,
            "lines": [{"ingredient": str(cheese.pk), "quantity": "1", "unit": "kg", "price": "1.00"}],
        },
        format="json",
    )
    assert (theirs.status_code, list(theirs.json())) == (400, ["supplier"])
    # A purchase is listed under the right document kind only.
    assert api.get(f"/api/cafe/write-offs/{purchase['id']}/").status_code == 404
    assert datetime.date.fromisoformat(purchase["date"]) == datetime.date(2026, 3, 14)


def test_a_company_keeps_at_most_its_suppliers(client_for, manager, supplier, settings):
    settings.SUPPLIERS_MAX_PER_COMPANY = 1
    api = client_for(manager)
    refused = api.post("/api/cafe/suppliers/", {"name": "Dairy"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "A company keeps at most 1 suppliers (SUPPLIERS_MAX_PER_COMPANY)."}
    assert [row["name"] for row in api.get("/api/cafe/suppliers/").json()["results"]] == ["Fresh Farm"]
