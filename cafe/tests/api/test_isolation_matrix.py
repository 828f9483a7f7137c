"""The REST rows of the isolation matrix: the table, what its answers mean and how
the worlds are shared between cells are in ``cafe/tests/matrix.py``. Here: the
request behind each row, and the test that runs each cell through the real API with
real JWTs; a refused write changes nothing."""

import pytest
from django.db import connection

from accounts.models import Branch, Device, User
from cafe.bill.models import CashMovement, Payment, Refund, Shift
from cafe.bookings.models import Booking
from cafe.floor.models import OpeningException, OpeningHours, Table, Zone
from cafe.guests.models import Guest
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.orders.models import KitchenTask, Order, OrderItem
from cafe.purchasing.models import StockDocument, Supplier
from cafe.store.models import Ingredient, Recipe, RecipeLine, StockLevel, StockMovement, StockSettings
from cafe.tests.factories import PASSWORD
from cafe.tests.matrix import BOOKABLE, FREE_WEEKDAY, cells
from cafe.timeclock.models import ClockEntry
from realtime.models import Event

ITEM_BODY = {"category": "{menu}", "title": "Soup", "price": "1.00"}
LINES = {"items": [{"menu_item": "{dish}", "quantity": 1}]}
DISCOUNT = {"kind": "percent", "value": "5.00", "reason": "regular guest"}
STAFF_BODY = {"email": "new@example.com", "password": "Tr0ub4dor&3-horse", "role": "waiter", "branch": "{branch}"}

START = BOOKABLE.isoformat()


def _document(extra: dict) -> dict:
    """A new document of the target's branch: one line of its cheese, and ``extra``
    (a purchase's supplier and its line's price, a write-off's reason, a transfer's destination)."""
    price = {"price": extra.pop("price")} if "price" in extra else {}
    line = {"ingredient": "{cheese}", "quantity": "100", "unit": "g", **price}
    return {"branch": "{branch}", "date": "2026-03-14", "lines": [line], **extra}


# The request behind each REST row: method, path, body, and for lists the object looked for.
REQUESTS = {
    "GET tables/": ("get", "/api/cafe/tables/", None, "table"),
    "GET table": ("get", "/api/cafe/tables/{table}/", None, None),
    "POST tables/ branch=T": ("post", "/api/cafe/tables/", {"number": 5, "branch": "{branch}"}, None),
    "PATCH table status": ("patch", "/api/cafe/tables/{table}/", {"status": "reserved"}, None),
    "PATCH table seats": ("patch", "/api/cafe/tables/{table}/", {"seats": 9}, None),
    "PUT table": ("put", "/api/cafe/tables/{table}/", {"number": 1, "seats": 9}, None),
    "DELETE table": ("delete", "/api/cafe/tables/{table}/", None, None),
    "PATCH table zone": ("patch", "/api/cafe/tables/{table}/", {"zone": "{zone}", "x": 10}, None),
    "PATCH sentinel zone=T": ("patch", "/api/cafe/tables/{sentinel}/", {"zone": "{zone}"}, None),
    "GET zones/": ("get", "/api/cafe/zones/", None, "zone"),
    "GET zone": ("get", "/api/cafe/zones/{zone}/", None, None),
    "POST zones/ branch=T": ("post", "/api/cafe/zones/", {"name": "Terrace", "branch": "{branch}"}, None),
    "PATCH zone": ("patch", "/api/cafe/zones/{zone}/", {"width": 1200}, None),
    "PUT zone": ("put", "/api/cafe/zones/{zone}/", {"name": "Hall", "width": 900, "height": 700}, None),
    "DELETE zone": ("delete", "/api/cafe/zones/{zone}/", None, None),
    "GET opening-hours/": ("get", "/api/cafe/opening-hours/", None, "hours"),
    "GET hours": ("get", "/api/cafe/opening-hours/{hours}/", None, None),
    "GET opening-hours/week/ branch=T": ("get", "/api/cafe/opening-hours/week/", {"branch": "{branch}"}, None),
    "POST opening-hours/ branch=T": ("post", "/api/cafe/opening-hours/", {"weekday": FREE_WEEKDAY, "opens": "10:00",
                                                                            "closes": "22:00", "branch": "{branch}"},
                                     None),
    "PATCH hours": ("patch", "/api/cafe/opening-hours/{hours}/", {"closes": "23:00"}, None),
    "PUT hours": ("put", "/api/cafe/opening-hours/{hours}/", {"weekday": 0, "opens": "09:00", "closes": "23:00"},
                  None),
    "DELETE hours": ("delete", "/api/cafe/opening-hours/{hours}/", None, None),
    "GET opening-exceptions/": ("get", "/api/cafe/opening-exceptions/", None, "exception"),
    "GET exception": ("get", "/api/cafe/opening-exceptions/{exception}/", None, None),
    "POST opening-exceptions/ branch=T": ("post", "/api/cafe/opening-exceptions/", {"date": "2027-01-01",
                                                                                      "branch": "{branch}"}, None),
    "PATCH exception": ("patch", "/api/cafe/opening-exceptions/{exception}/", {"note": "Closed"}, None),
    "PUT exception": ("put", "/api/cafe/opening-exceptions/{exception}/", {"date": "2026-12-30"}, None),
    "DELETE exception": ("delete", "/api/cafe/opening-exceptions/{exception}/", None, None),
    "GET categories/": ("get", "/api/cafe/categories/", None, "category"),
    "GET category": ("get", "/api/cafe/categories/{category}/", None, None),
    "POST categories/": ("post", "/api/cafe/categories/", {"name": "New"}, None),
    "PATCH category": ("patch", "/api/cafe/categories/{category}/", {"name": "Renamed"}, None),
    "PUT category": ("put", "/api/cafe/categories/{category}/", {"name": "Renamed", "position": 3}, None),
    "DELETE category": ("delete", "/api/cafe/categories/{category}/", None, None),
    "GET menu-items/ item": ("get", "/api/cafe/menu-items/", None, "item"),
    "GET menu-items/ shared": ("get", "/api/cafe/menu-items/", None, "shared"),
    "GET item": ("get", "/api/cafe/menu-items/{item}/", None, None),
    "GET shared": ("get", "/api/cafe/menu-items/{shared}/", None, None),
    "POST menu-items/ branch=T": ("post", "/api/cafe/menu-items/", {**ITEM_BODY, "menu": "{my_menu}",
                                                                    "branch": "{branch}"}, None),
    "POST menu-items/ null": ("post", "/api/cafe/menu-items/", {**ITEM_BODY, "branch": None}, None),
    "PATCH item price": ("patch", "/api/cafe/menu-items/{item}/", {"price": "9.99"}, None),
    "PATCH item branch=null": ("patch", "/api/cafe/menu-items/{item}/", {"branch": None}, None),
    "PUT item": ("put", "/api/cafe/menu-items/{item}/", ITEM_BODY, None),
    "DELETE item": ("delete", "/api/cafe/menu-items/{item}/", None, None),
    "PATCH shared price": ("patch", "/api/cafe/menu-items/{shared}/", {"price": "9.99"}, None),
    "PATCH shared branch=T": ("patch", "/api/cafe/menu-items/{shared}/", {"branch": "{branch}"}, None),
    "PUT shared": ("put", "/api/cafe/menu-items/{shared}/", ITEM_BODY, None),
    "DELETE shared": ("delete", "/api/cafe/menu-items/{shared}/", None, None),
    "GET orders/": ("get", "/api/cafe/orders/", None, "order"),
    "GET order": ("get", "/api/cafe/orders/{order}/", None, None),
    "POST orders/ table=T": ("post", "/api/cafe/orders/", {"table": "{table}", "guests": 1, **LINES}, None),
    "PATCH order guests": ("patch", "/api/cafe/orders/{order}/", {"guests": 5}, None),
    "POST order items/": ("post", "/api/cafe/orders/{order}/items/", LINES, None),
    "POST order close/": ("post", "/api/cafe/orders/{order}/close/", None, None),
    "POST order cancel/": ("post", "/api/cafe/orders/{order}/cancel/", None, None),
    "GET stations/": ("get", "/api/cafe/stations/", None, "station"),
    "GET station": ("get", "/api/cafe/stations/{station}/", None, None),
    "POST stations/ branch=T": ("post", "/api/cafe/stations/", {"name": "Pass", "branch": "{branch}"}, None),
    "PATCH station": ("patch", "/api/cafe/stations/{station}/", {"name": "Grill"}, None),
    "PUT station": ("put", "/api/cafe/stations/{station}/", {"name": "Grill", "position": 2}, None),
    "DELETE station": ("delete", "/api/cafe/stations/{spare_station}/", None, None),
    "GET modifier-groups/": ("get", "/api/cafe/modifier-groups/", None, "group"),
    "GET group": ("get", "/api/cafe/modifier-groups/{group}/", None, None),
    "POST modifier-groups/ item=T": ("post", "/api/cafe/modifier-groups/", {"menu_item": "{item}", "name": "Milk"},
                                     None),
    "PATCH group": ("patch", "/api/cafe/modifier-groups/{group}/", {"name": "Sauce"}, None),
    "PUT group": ("put", "/api/cafe/modifier-groups/{group}/", {"menu_item": "{item}", "name": "Sauce"}, None),
    "DELETE group": ("delete", "/api/cafe/modifier-groups/{group}/", None, None),
    "PATCH shared group": ("patch", "/api/cafe/modifier-groups/{shared_group}/", {"name": "Sauce"}, None),
    "GET modifiers/": ("get", "/api/cafe/modifiers/", None, "modifier"),
    "GET modifier": ("get", "/api/cafe/modifiers/{modifier}/", None, None),
    "POST modifiers/ group=T": ("post", "/api/cafe/modifiers/", {"group": "{group}", "name": "Oat"}, None),
    "PATCH modifier": ("patch", "/api/cafe/modifiers/{modifier}/", {"price": "1.00"}, None),
    "PUT modifier": ("put", "/api/cafe/modifiers/{modifier}/", {"group": "{group}", "name": "Oat"}, None),
    "DELETE modifier": ("delete", "/api/cafe/modifiers/{modifier}/", None, None),
    "GET shared branches/": ("get", "/api/cafe/menu-items/{shared}/branches/", None, None),
    "PUT shared branch=T": ("put", "/api/cafe/menu-items/{shared}/branches/{branch}/", {"is_available": False},
                            None),
    "PATCH shared branch=T setting": ("patch", "/api/cafe/menu-items/{shared}/branches/{branch}/", {"remaining": 5},
                                      None),
    "PATCH order line": ("patch", "/api/cafe/orders/{order}/lines/{line}/", {"note": "no salt"}, None),
    "POST order line void/": ("post", "/api/cafe/orders/{order}/lines/{line}/void/", {"reason": "wrong"}, None),
    "POST order fire/": ("post", "/api/cafe/orders/{order}/fire/", {}, None),
    "POST order split/": ("post", "/api/cafe/orders/{order}/split/", {"lines": [{"line": "{line}", "quantity": 1}]},
                          None),
    "POST order move/ table=T": ("post", "/api/cafe/orders/{order}/move/", {"table": "{table}"}, None),
    "POST order merge/ order=T": ("post", "/api/cafe/orders/{order}/merge/", {"order": "{second}"}, None),
    "GET kitchen/tasks/": ("get", "/api/cafe/kitchen/tasks/", None, "task"),
    "GET task": ("get", "/api/cafe/kitchen/tasks/{task}/", None, None),
    "POST task claim/": ("post", "/api/cafe/kitchen/tasks/{task}/claim/", None, None),
    "POST task ready/": ("post", "/api/cafe/kitchen/tasks/{cooking}/ready/", None, None),
    "POST task unready/": ("post", "/api/cafe/kitchen/tasks/{done}/unready/", None, None),
    "POST task served/": ("post", "/api/cafe/kitchen/tasks/{done}/served/", None, None),
    "POST tasks claim/ ids=T": ("post", "/api/cafe/kitchen/tasks/claim/", {"ids": ["{task}"]}, None),
    "POST tasks ready/ ids=T": ("post", "/api/cafe/kitchen/tasks/ready/", {"ids": ["{cooking}"]}, None),
    "POST tasks unready/ ids=T": ("post", "/api/cafe/kitchen/tasks/unready/", {"ids": ["{done}"]}, None),
    "POST tasks served/ ids=T": ("post", "/api/cafe/kitchen/tasks/served/", {"ids": ["{done}"]}, None),
    "POST orders/ takeaway branch=T": ("post", "/api/cafe/orders/", {"service": "takeaway", "branch": "{branch}",
                                                                     **LINES}, None),
    "GET reports/daily/ branch=T": ("get", "/api/cafe/reports/daily/", {"branch": "{branch}", "date": "2026-01-15"},
                                    None),
    "GET reports/range/ branch=T": ("get", "/api/cafe/reports/range/", {"branch": "{branch}", "from": "2026-01-01",
                                                                        "to": "2026-01-31"}, None),
    "GET bookings/availability/ branch=T": ("get", "/api/cafe/bookings/availability/",
                                            {"branch": "{branch}", "date": "2099-03-13", "guests": 2}, None),
    "GET shifts/": ("get", "/api/cafe/shifts/", None, "shift"),
    "GET shift": ("get", "/api/cafe/shifts/{shift}/", None, None),
    "GET shifts current/ branch=T": ("get", "/api/cafe/shifts/current/", {"branch": "{branch}"}, None),
    "GET snapshot/ branch=T": ("get", "/api/cafe/snapshot/", {"branch": "{branch}"}, None),
    "POST shifts/ branch=T": ("post", "/api/cafe/shifts/", {"branch": "{branch}", "opening_float": "10.00"}, None),
    "GET shift cash/": ("get", "/api/cafe/shifts/{shift}/cash/", None, None),
    "POST shift cash/": ("post", "/api/cafe/shifts/{shift}/cash/", {"kind": "in", "amount": "5.00", "reason": "Coins"},
                         None),
    "POST shift close/": ("post", "/api/cafe/shifts/{shift}/close/", {"counted_cash": "0.00"}, None),
    "GET shift report/": ("get", "/api/cafe/shifts/{shift}/report/", None, None),
    "POST order refund/": ("post", "/api/cafe/orders/{paid}/refund/", {"method": "card", "reason": "Cold"}, None),
    "GET branches/": ("get", "/api/users/branches/", None, "branch"),
    "GET branch": ("get", "/api/users/branches/{branch}/", None, None),
    "POST branches/": ("post", "/api/users/branches/", {"name": "New"}, None),
    "GET employees/": ("get", "/api/users/employees/", None, "waiter"),
    "GET employee": ("get", "/api/users/employees/{waiter}/", None, None),
    "POST employees/ branch=T": ("post", "/api/users/employees/", STAFF_BODY, None),
    "PATCH employee": ("patch", "/api/users/employees/{waiter}/", {"first_name": "Renamed"}, None),
    "DELETE employee": ("delete", "/api/users/employees/{waiter}/", None, None),
    "GET me/": ("get", "/api/users/me/", None, None),
    "GET display-tokens/": ("get", "/api/users/display-tokens/", None, "display"),
    "POST display-tokens/ branch=T": ("post", "/api/users/display-tokens/", {"branch": "{branch}"}, None),
    "DELETE display-token": ("delete", "/api/users/display-tokens/{display}/", None, None),
    "GET devices/": ("get", "/api/users/devices/", None, "device"),
    "GET device": ("get", "/api/users/devices/{device}/", None, None),
    "POST devices/ branch=T": ("post", "/api/users/devices/", {"branch": "{branch}", "name": "T", "views": ["floor"]},
                               None),
    "PATCH device": ("patch", "/api/users/devices/{device}/", {"idle_lock_seconds": 600}, None),
    "DELETE device": ("delete", "/api/users/devices/{device}/", None, None),
    "PUT pin": ("put", "/api/users/pins/{waiter}/", {"pin": "1234"}, None),
    "DELETE pin": ("delete", "/api/users/pins/{waiter}/", None, None),
    "POST me/pin/": ("post", "/api/users/me/pin/", {"password": PASSWORD, "pin": "1234"}, None),
    "GET timeclock/": ("get", "/api/cafe/timeclock/", None, "entry"),
    "GET timeclock entry": ("get", "/api/cafe/timeclock/{entry}/", None, None),
    "POST timeclock correct/": ("post", "/api/cafe/timeclock/{entry}/correct/", {"reason": "x", "started_at":
                                "2020-01-01T00:00:00Z"}, None),
    "POST clock-in branch=T": ("post", "/api/cafe/timeclock/clock-in/", {"branch": "{branch}"}, None),
    "GET timeclock/me/": ("get", "/api/cafe/timeclock/me/", None, None),
    "GET hours/ branch=T": ("get", "/api/cafe/timeclock/hours/",
                            {"branch": "{branch}", "from": "2026-03-01", "to": "2026-03-02"}, None),
    "GET clock report/ branch=T": ("get", "/api/cafe/timeclock/report/",
                                   {"branch": "{branch}", "from": "2026-03-01", "to": "2026-03-02"}, None),
    "POST timeclock clock-out/": ("post", "/api/cafe/timeclock/clock-out/", None, None),
    "POST timeclock break-start/": ("post", "/api/cafe/timeclock/break-start/", None, None),
    "POST timeclock break-end/": ("post", "/api/cafe/timeclock/break-end/", None, None),
    # The order's bill is 1400.00 (four portions of 350.00).
    "POST order pay/": ("post", "/api/cafe/orders/{order}/pay/", {"tenders": [{"method": "card",
                                                                               "amount": "1400.00"}]}, None),
    "POST order discount/": ("post", "/api/cafe/orders/{order}/discount/", DISCOUNT, None),
    "DELETE order discount/": ("delete", "/api/cafe/orders/{order}/discount/", None, None),
    "POST order line discount/": ("post", "/api/cafe/orders/{order}/lines/{line}/discount/", DISCOUNT, None),
    "DELETE order line discount/": ("delete", "/api/cafe/orders/{order}/lines/{line}/discount/", None, None),
    "POST order split-even/": ("post", "/api/cafe/orders/{order}/split-even/", {"checks": 2}, None),
    "DELETE order split-even/": ("delete", "/api/cafe/orders/{order}/split-even/", None, None),
    "GET order checks/": ("get", "/api/cafe/orders/{order}/checks/", None, None),
    "PATCH branch": ("patch", "/api/users/branches/{branch}/", {"service_charge_percent": "5.00"}, None),
    "GET guests/": ("get", "/api/cafe/guests/", None, "guest"),
    "GET guest": ("get", "/api/cafe/guests/{guest}/", None, None),
    "POST guests/": ("post", "/api/cafe/guests/", {"name": "Boris", "phone": "+79167654321"}, None),
    "PATCH guest": ("patch", "/api/cafe/guests/{guest}/", {"note": "No nuts"}, None),
    "GET guest history/": ("get", "/api/cafe/guests/{guest}/history/", None, None),
    "GET guest export/": ("get", "/api/cafe/guests/{guest}/export/", None, None),
    "POST guest erase/": ("post", "/api/cafe/guests/{guest}/erase/", None, None),
    "GET bookings/": ("get", "/api/cafe/bookings/", None, "booking"),
    "GET booking": ("get", "/api/cafe/bookings/{booking}/", None, None),
    "POST bookings/ tables=T": ("post", "/api/cafe/bookings/", {"tables": ["{table}"], "start": START, "guests": 2,
                                                                "guest_name": "Boris"}, None),
    "PATCH booking note": ("patch", "/api/cafe/bookings/{booking}/", {"note": "window"}, None),
    "POST booking confirm/": ("post", "/api/cafe/bookings/{booking}/confirm/", None, None),
    "POST booking cancel/": ("post", "/api/cafe/bookings/{booking}/cancel/", None, None),
    "POST booking no-show/": ("post", "/api/cafe/bookings/{booking}/no-show/", None, None),
    "POST booking arrive/": ("post", "/api/cafe/bookings/{booking}/arrive/", None, None),
    "GET ingredients/": ("get", "/api/cafe/ingredients/", None, "ingredient"),
    "GET ingredient": ("get", "/api/cafe/ingredients/{ingredient}/", None, None),
    "POST ingredients/": ("post", "/api/cafe/ingredients/", {"name": "Basil", "unit": "g"}, None),
    "PATCH ingredient": ("patch", "/api/cafe/ingredients/{ingredient}/", {"name": "Rye flour"}, None),
    "PUT ingredient": ("put", "/api/cafe/ingredients/{ingredient}/", {"name": "Rye flour", "unit": "g"}, None),
    "DELETE ingredient": ("delete", "/api/cafe/ingredients/{ingredient}/", None, None),
    "POST ingredient threshold/ branch=T": ("post", "/api/cafe/ingredients/{ingredient}/threshold/",
                                            {"branch": "{branch}", "low_threshold": "5"}, None),
    "GET recipes/": ("get", "/api/cafe/recipes/", None, "recipe"),
    "GET recipe": ("get", "/api/cafe/recipes/{recipe}/", None, None),
    "POST recipes/ shared branch=T": ("post", "/api/cafe/recipes/", {"menu_item": "{shared}", "branch": "{branch}",
                                      "lines": [{"ingredient": "{cheese}", "quantity": "50", "unit": "g"}]}, None),
    "PATCH recipe": ("patch", "/api/cafe/recipes/{recipe}/", {"output": "1"}, None),
    "PUT recipe": ("put", "/api/cafe/recipes/{recipe}/",
                   {"lines": [{"ingredient": "{cheese}", "quantity": "0.2", "unit": "kg"}]}, None),
    "DELETE recipe": ("delete", "/api/cafe/recipes/{recipe}/", None, None),
    "GET stock/ branch=T": ("get", "/api/cafe/stock/", {"branch": "{branch}"}, None),
    "GET stock/movements/ branch=T": ("get", "/api/cafe/stock/movements/", {"branch": "{branch}"}, None),
    "GET stock/settings/ branch=T": ("get", "/api/cafe/stock/settings/", {"branch": "{branch}"}, None),
    "PUT stock/settings/ branch=T": ("put", "/api/cafe/stock/settings/", {"branch": "{branch}",
                                                                          "allow_negative": True}, None),
    "GET suppliers/": ("get", "/api/cafe/suppliers/", None, "supplier"),
    "GET supplier": ("get", "/api/cafe/suppliers/{supplier}/", None, None),
    "POST suppliers/": ("post", "/api/cafe/suppliers/", {"name": "Dairy"}, None),
    "PATCH supplier": ("patch", "/api/cafe/suppliers/{supplier}/", {"phone": "+7 495 000-00-00"}, None),
    "PUT supplier": ("put", "/api/cafe/suppliers/{supplier}/", {"name": "Fresh Farm Ltd"}, None),
    "DELETE supplier": ("delete", "/api/cafe/suppliers/{spare_supplier}/", None, None),
    "GET purchases/": ("get", "/api/cafe/purchases/", None, "purchase"),
    "GET purchase": ("get", "/api/cafe/purchases/{purchase}/", None, None),
    "POST purchases/ branch=T": ("post", "/api/cafe/purchases/", _document({"supplier": "{supplier}",
                                                                             "price": "1.00"}), None),
    "DELETE purchase": ("delete", "/api/cafe/purchases/{purchase}/", None, None),
    "POST purchase post/": ("post", "/api/cafe/purchases/{purchase}/post/", None, None),
    "GET write-offs/": ("get", "/api/cafe/write-offs/", None, "write_off"),
    "GET write_off": ("get", "/api/cafe/write-offs/{write_off}/", None, None),
    "POST write-offs/ branch=T": ("post", "/api/cafe/write-offs/", _document({"reason": "spoiled"}), None),
    "DELETE write_off": ("delete", "/api/cafe/write-offs/{write_off}/", None, None),
    "POST write_off post/": ("post", "/api/cafe/write-offs/{write_off}/post/", None, None),
    "GET transfers/": ("get", "/api/cafe/transfers/", None, "transfer"),
    "GET transfer": ("get", "/api/cafe/transfers/{transfer}/", None, None),
    "POST transfers/ branch=T": ("post", "/api/cafe/transfers/", _document({"to_branch": "{far}"}), None),
    "DELETE transfer": ("delete", "/api/cafe/transfers/{transfer}/", None, None),
    "POST transfer post/": ("post", "/api/cafe/transfers/{transfer}/post/", None, None),
    "GET stock-counts/": ("get", "/api/cafe/stock-counts/", None, "count"),
    "GET count": ("get", "/api/cafe/stock-counts/{count}/", None, None),
    "POST stock-counts/ branch=T": ("post", "/api/cafe/stock-counts/", _document({}), None),
    "DELETE count": ("delete", "/api/cafe/stock-counts/{count}/", None, None),
    "POST count post/": ("post", "/api/cafe/stock-counts/{count}/post/", None, None),
    "GET count variance/": ("get", "/api/cafe/stock-counts/{count}/variance/", None, None),
    "GET reports/food-cost/ branch=T": ("get", "/api/cafe/reports/food-cost/", {"branch": "{branch}"}, None),
    "GET reports/abc/ branch=T": ("get", "/api/cafe/reports/abc/", {"branch": "{branch}", "from": "2026-03-01",
                                                                    "to": "2026-03-31"}, None),
}  # fmt: skip


def fill(value, world: dict):
    if isinstance(value, str):
        for name, obj in world.items():
            value = value.replace("{" + name + "}", str(obj.pk))
        return value
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    return value


def _snapshot_reads() -> tuple:
    """Everything a refused write must leave as it was (a model alone: its rows counted)."""
    return (
        Table.unscoped.order_by("pk").values_list("pk", "number", "seats", "status", "zone", "x"),
        Zone.unscoped.order_by("pk").values_list("pk", "name", "width", "height"),
        OpeningHours.unscoped.order_by("pk").values_list("pk", "weekday", "opens", "closes"),
        OpeningException.unscoped.order_by("pk").values_list("pk", "date", "opens", "note"),
        Category.unscoped.order_by("pk").values_list("pk", "name", "position"),
        MenuItem.unscoped.order_by("pk").values_list("pk", "price", "branch", "category", "title"),
        Order.unscoped.order_by("pk").values_list("pk", "guests", "status", "table", "merged_into"),
        OrderItem.unscoped.order_by("pk").values_list("pk", "order", "quantity", "note", "voided_at"),
        # Payments
        Order.unscoped.order_by("pk").values_list("pk", "paid", "discount_kind", "split_checks"),
        OrderItem.unscoped.order_by("pk").values_list("pk", "discount_kind"),
        Branch.unscoped.order_by("pk").values_list("pk", "name", "service_charge_percent"),
        Payment,
        Station.unscoped.order_by("pk").values_list("pk", "name", "position"),
        ModifierGroup.unscoped.order_by("pk").values_list("pk", "name", "menu_item"),
        Modifier.unscoped.order_by("pk").values_list("pk", "name", "price"),
        MenuItemBranch.unscoped.order_by("pk").values_list("pk", "station", "is_available", "remaining"),
        KitchenTask.unscoped.order_by("pk").values_list("pk", "order", "line", "portion", "status", "cook"),
        User.objects.order_by("pk").values_list("pk", "first_name", "is_active", "role", "pin"),
        Device.unscoped.order_by("pk").values_list("pk", "revoked_at"),
        ClockEntry.unscoped.order_by("pk").values_list("pk", "started_at", "ended_at"),
        Shift.unscoped.order_by("pk").values_list("pk", "closed_at"),
        CashMovement,
        Refund,
        Event,
        Guest.unscoped.order_by("pk").values_list("pk", "name", "phone", "note", "erased_at"),
        Booking.unscoped.order_by("pk").values_list("pk", "status", "starts_at", "note", "order"),
        Supplier.unscoped.order_by("pk").values_list("pk", "name", "phone"),
        StockDocument.unscoped.order_by("pk").values_list("pk", "status"),
        StockMovement,
        Ingredient.unscoped.order_by("pk").values_list("pk", "name", "unit"),
        Recipe.unscoped.order_by("pk").values_list("pk", "output"),
        RecipeLine.unscoped.order_by("pk").values_list("pk", "quantity", "unit"),
        StockLevel.unscoped.order_by("pk").values_list("pk", "low_threshold", "on_hand"),
        StockSettings.unscoped.order_by("pk").values_list("pk", "allow_negative"),
    )


_SNAPSHOT_SQL: list[tuple[str, tuple]] = []


def snapshot() -> tuple:
    """Everything a refused write must leave as it was: the rows of ``_snapshot_reads``,
    as the database returns them. Their statements are compiled once per process (two
    dozen querysets built and compiled before every cell, and again after each
    refusal, were about a third of a cell's CPU)."""
    if not _SNAPSHOT_SQL:
        quote = connection.ops.quote_name
        for read in _snapshot_reads():
            if isinstance(read, type):
                _SNAPSHOT_SQL.append((f"SELECT COUNT(*) FROM {quote(read._meta.db_table)}", ()))
            else:
                _SNAPSHOT_SQL.append(read.query.sql_with_params())
    with connection.cursor() as cursor:
        found = []
        for sql, params in _SNAPSHOT_SQL:
            cursor.execute(sql, params)
            found.append(cursor.fetchall())
    return tuple(found)


@pytest.mark.parametrize(("row", "role", "target", "expected"), cells(sockets=False))
def test_rest(rest_world, db, client_for, row, role, target, expected):
    world = rest_world
    method, path, body, listed = REQUESTS[row]
    before = None if expected in ("in", "out") else snapshot()  # a listing compares no snapshot
    response = getattr(client_for(world["user"]), method)(fill(path, world), fill(body, world), format="json")
    assert response.status_code == 204 or response["Content-Type"] == "application/json"
    if expected in ("in", "out"):
        assert response.status_code == 200, response.json()
        shown = {row["id"] for row in response.json()["results"]}
        assert (str(world[listed].pk) in shown) == (expected == "in")
        return
    assert response.status_code == int(expected), response.content
    if response.status_code >= 400:
        assert snapshot() == before
        if response.status_code in (403, 404):
            assert list(response.json()) == ["detail"]


_WRITTEN: dict = {}


@pytest.mark.parametrize(
    ("role", "target", "step"),
    [
        pytest.param("owner", "own", step, marks=pytest.mark.xdist_group("matrix-rest-owner-own"))
        for step in ("write", "read")
    ],
)
def test_a_cells_writes_never_reach_the_next_cell(rest_world, db, client_for, role, target, step):
    """The cells of a world share it (it is built once), and what one cell writes is
    rolled back before the next: deleting the world's table, then finding it again."""
    client = client_for(rest_world["user"])
    path = f"/api/cafe/tables/{rest_world['table'].pk}/"
    if step == "write":
        assert client.delete(path).status_code == 204
        assert client.get(path).status_code == 404
        _WRITTEN["world"] = rest_world
        return
    assert client.get(path).status_code == 200
    if "world" in _WRITTEN:  # run after the write (not alone, with -k)
        assert _WRITTEN["world"] is rest_world


@pytest.mark.django_db
def test_the_matrix_covers_every_rest_route(api_client):
    """A new route needs its row: every (method, route) the routers serve appears.
    What is served is read from the URL conf, and it must be what the OpenAPI
    document lists for those routes: no count to bump by hand."""
    from django.urls import URLPattern, URLResolver, get_resolver

    tried = {(method.upper(), _route(path)) for method, path, _, _ in REQUESTS.values()}
    served = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and prefix in ("api/cafe/", "api/users/"):
                for method in getattr(pattern.callback, "actions", {}):  # a router's viewset route
                    if method in ("get", "post", "put", "patch", "delete"):
                        served.add((method.upper(), _route(str(pattern.pattern))))

    walk(get_resolver().url_patterns, "")
    routes = {route for _, route in served}
    document = api_client.get("/api/schema/?format=json").json()
    documented = {
        (method.upper(), _route(path))
        for path, operations in document["paths"].items()
        for method in operations
        if _route(path) in routes and method in ("get", "post", "put", "patch", "delete")
    }
    assert served
    assert served == documented
    assert served - tried == set()


def _route(path: str) -> str:
    """ "/api/cafe/tables/{table}/" and "^tables/(?P<pk>[...])/$" (or any named id,
    ``(?P<line_id>...)``) → one shape."""
    import re

    path = re.sub(r"\(\?P<\w+>[^)]*\)", "{id}", path).strip("^$")
    path = re.sub(r"\{[a-z_]+\}", "{id}", path)
    return path.removeprefix("/api/cafe/").removeprefix("/api/users/")
