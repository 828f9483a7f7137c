"""Who may read and write what, as one table: every REST endpoint and socket,
tried by each role on an object of their own branch, of another branch of their
company, and of another company. Each cell is one test, named after it
(``test_rest[PATCH table seats-waiter-other]``), driven through the real API with
real JWTs; the socket rows run in ``realtime/tests/consumers/test_isolation_matrix.py``.

Answers: a status code; ``in`` / ``out`` for a list that does or does not show
the object; ``accept`` / ``4005`` for a socket asking for the object's branch;
``yes`` / ``no`` for a socket that does or does not get the object's events;
``-`` where the target does not apply (the object is the same for "own" and
"other", or the request names none). A refused write changes nothing.

Owner and admin are company-wide; "own" is a branch of their company. The menu
has branch items (``item``) and shared items (``shared``, branch null, served
everywhere): branch roles read shared items and categories but never change them.
"""

import pytest

from accounts.models import Branch, Role, User
from cafe.bill.models import CashMovement, Payment, Refund, Shift
from cafe.floor.models import Table
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.orders.models import KitchenTask, Order, OrderItem, TaskStatus
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    StationFactory,
    TableFactory,
    UserFactory,
    open_shift,
    order_for,
    owner_of,
    paid,
    staff_of,
    station_dish,
)
from realtime.models import Event

ROLES = ("owner", "admin", "manager", "waiter", "cashier", "cook")
TARGETS = ("own", "other", "foreign")

# fmt: off
MATRIX = {
    # what is tried               owner          admin          manager        waiter         cashier        cook
    "GET tables/":              ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET table":                ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST tables/ branch=T":    ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH table status":       ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "PATCH table seats":        ("200 200 404", "200 200 404", "200 404 404", "403 404 404", "403 404 404", "403 404 404"),
    "PUT table":                ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE table":             ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),

    "GET categories/":          ("in - out",    "in - out",    "in - out",    "in - out",    "in - out",    "in - out"),
    "GET category":             ("200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404"),
    "POST categories/":         ("201 - -",     "201 - -",     "403 - -",     "403 - -",     "403 - -",     "403 - -"),
    "PATCH category":           ("200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403",   "403 - 403"),
    "PUT category":             ("200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403",   "403 - 403"),
    "DELETE category":          ("204 - 404",   "204 - 404",   "403 - 403",   "403 - 403",   "403 - 403",   "403 - 403"),

    "GET menu-items/ item":     ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET menu-items/ shared":   ("in - out",    "in - out",    "in - out",    "in - out",    "in - out",    "in - out"),
    "GET item":                 ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "GET shared":               ("200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404"),
    "POST menu-items/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403", "403 403 403"),
    "POST menu-items/ null":    ("201 - -",     "201 - -",     "403 - -",     "403 - -",     "403 - -",     "403 - -"),
    "PATCH item price":         ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH item branch=null":   ("200 200 404", "200 200 404", "403 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT item":                 ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE item":              ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH shared price":       ("200 - 404",   "200 - 404",   "403 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    "PATCH shared branch=T":    ("200 200 404", "200 200 404", "403 400 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT shared":               ("200 - 404",   "200 - 404",   "403 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    "DELETE shared":            ("204 - 404",   "204 - 404",   "403 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),

    "GET orders/":              ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET order":                ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST orders/ table=T":     ("201 201 400", "201 201 400", "201 400 400", "201 400 400", "201 400 400", "403 403 403"),
    "PATCH order guests":       ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST order items/":        ("201 201 404", "201 201 404", "201 404 404", "201 404 404", "201 404 404", "403 403 403"),
    "POST order close/":        ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST order cancel/":       ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),

    "GET stations/":            ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET station":              ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST stations/ branch=T":  ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH station":            ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT station":              ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE station":           ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),

    "GET modifier-groups/":     ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET group":                ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST modifier-groups/ item=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "PATCH group":              ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT group":                ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE group":             ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH shared group":       ("200 - 404",   "200 - 404",   "403 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    "GET modifiers/":           ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET modifier":             ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST modifiers/ group=T":  ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH modifier":           ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT modifier":             ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE modifier":          ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET shared branches/":     ("200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404"),
    "PUT shared branch=T":      ("200 200 404", "200 200 404", "200 400 404", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH shared branch=T setting": ("200 200 404", "200 200 404", "200 400 404", "403 403 403", "403 403 403",
                                 "403 403 403"),

    "PATCH order line":         ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST order line void/":    ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST order fire/":         ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    # Split, move, merge (docs/split.md): the order's table's other open order is ``second``.
    "POST order split/":        ("201 201 404", "201 201 404", "201 404 404", "201 404 404", "201 404 404", "403 403 403"),
    "POST order move/ table=T": ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST order merge/ order=T": ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404",
                                 "403 403 403"),

    "GET kitchen/tasks/":       ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET task":                 ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST task claim/":         ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "200 404 404"),
    "POST task ready/":         ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "200 404 404"),
    "POST task unready/":       ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "200 404 404"),
    "POST task served/":        ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST tasks claim/ ids=T":  ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "200 404 404"),
    "POST tasks ready/ ids=T":  ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "200 404 404"),
    "POST tasks unready/ ids=T": ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403",
                                 "200 404 404"),
    "POST tasks served/ ids=T": ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),

    # The bill: takeaway orders (a branch, no table) and reports.
    "POST orders/ takeaway branch=T": ("201 201 400", "201 201 400", "201 400 400", "201 400 400", "201 400 400",
                                 "403 403 403"),
    "GET reports/daily/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "GET reports/range/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    # Till: the target's branch has an open shift (``shift``), so opening another
    # answers 409 where the caller may reach the branch; ``paid`` is a closed order
    # paid by card (its refund needs no shift).
    "GET shifts/":              ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "403 403 403"),
    "GET shift":                ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "GET shifts current/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "200 400 400", "200 400 400",
                                 "403 403 403"),
    "POST shifts/ branch=T":    ("409 409 400", "409 409 400", "409 400 400", "403 403 403", "409 400 400", "403 403 403"),
    "GET shift cash/":          ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "200 404 404", "403 403 403"),
    "POST shift cash/":         ("201 201 404", "201 201 404", "201 404 404", "403 403 403", "201 404 404", "403 403 403"),
    "POST shift close/":        ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "200 404 404", "403 403 403"),
    "GET shift report/":        ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "200 404 404", "403 403 403"),
    "POST order refund/":       ("201 201 404", "201 201 404", "201 404 404", "403 403 403", "403 403 403", "403 403 403"),

    "GET branches/":            ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET branch":               ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST branches/":           ("201 - -",     "201 - -",     "403 - -",     "403 - -",     "403 - -",     "403 - -"),
    "GET employees/":           ("in in out",   "in in out",   "403 403 403", "403 403 403", "403 403 403", "403 403 403"),
    "GET employee":             ("200 200 404", "200 200 404", "403 403 403", "403 403 403", "403 403 403", "403 403 403"),
    "POST employees/ branch=T": ("201 201 400", "201 201 400", "403 403 403", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH employee":           ("200 200 404", "200 200 404", "403 403 403", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE employee":          ("204 204 404", "204 204 404", "403 403 403", "403 403 403", "403 403 403", "403 403 403"),
    "GET me/":                  ("200 - -",     "200 - -",     "200 - -",     "200 - -",     "200 - -",     "200 - -"),

    # Payments: paying, discounts, the even split (docs/payments.md); branch bill settings.
    "POST order pay/":          ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST order discount/":     ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "DELETE order discount/":   ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST order line discount/": ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404",
                                 "403 403 403"),
    "DELETE order line discount/": ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404",
                                 "403 403 403"),
    "POST order split-even/":   ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "DELETE order split-even/": ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "GET order checks/":        ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "PATCH branch":             ("200 200 404", "200 200 404", "403 403 403", "403 403 403", "403 403 403", "403 403 403"),

    # Sockets: connect asking for the target's branch; live events and the
    # replay (since=0) of a change to a table in the target's branch.
    "WS orders branch_id=T":    ("accept accept 4005", "accept accept 4005", "accept 4005 4005",
                                 "accept 4005 4005", "accept 4005 4005", "accept 4005 4005"),
    "WS tables branch_id=T":    ("accept accept 4005", "accept accept 4005", "accept 4005 4005",
                                 "accept 4005 4005", "accept 4005 4005", "accept 4005 4005"),
    "WS kitchen branch_id=T":   ("accept accept 4005", "accept accept 4005", "accept 4005 4005",
                                 "accept 4005 4005", "accept 4005 4005", "accept 4005 4005"),
    # The kitchen socket narrowed to the target's station (&station=).
    "WS kitchen station=T":     ("accept accept 4005", "accept accept 4005", "accept 4005 4005",
                                 "accept 4005 4005", "accept 4005 4005", "accept 4005 4005"),
    "WS orders live":           ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    "WS tables live":           ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    "WS orders since=0":        ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    "WS tables since=0":        ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    # A portion of the target's branch claimed; the sentinel is a menu change in the caller's.
    "WS kitchen live":          ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    "WS kitchen since=0":       ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
}
# fmt: on

ITEM_BODY = {"category": "{menu}", "title": "Soup", "price": "1.00"}
LINES = {"items": [{"menu_item": "{dish}", "quantity": 1}]}
DISCOUNT = {"kind": "percent", "value": "5.00", "reason": "regular guest"}
STAFF_BODY = {"email": "new@example.com", "password": "Tr0ub4dor&3-horse", "role": "waiter", "branch": "{branch}"}

# The request behind each REST row: method, path, body, and for lists the object looked for.
REQUESTS = {
    "GET tables/": ("get", "/api/cafe/tables/", None, "table"),
    "GET table": ("get", "/api/cafe/tables/{table}/", None, None),
    "POST tables/ branch=T": ("post", "/api/cafe/tables/", {"number": 5, "branch": "{branch}"}, None),
    "PATCH table status": ("patch", "/api/cafe/tables/{table}/", {"status": "reserved"}, None),
    "PATCH table seats": ("patch", "/api/cafe/tables/{table}/", {"seats": 9}, None),
    "PUT table": ("put", "/api/cafe/tables/{table}/", {"number": 1, "seats": 9}, None),
    "DELETE table": ("delete", "/api/cafe/tables/{table}/", None, None),
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
    "GET shifts/": ("get", "/api/cafe/shifts/", None, "shift"),
    "GET shift": ("get", "/api/cafe/shifts/{shift}/", None, None),
    "GET shifts current/ branch=T": ("get", "/api/cafe/shifts/current/", {"branch": "{branch}"}, None),
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
}  # fmt: skip


def cells(sockets: bool) -> list:
    """One pytest param per cell of the REST rows (or of the socket rows)."""
    params = []
    for row, answers in MATRIX.items():
        if row.startswith("WS ") != sockets:
            continue
        assert len(answers) == len(ROLES), row
        for role, answer in zip(ROLES, answers, strict=True):
            for target, expected in zip(TARGETS, answer.split(), strict=True):
                if expected != "-":
                    params.append(pytest.param(row, role, target, expected, id=f"{row}-{role}-{target}"))
    return params


def build(role: str, target: str) -> dict:
    """The caller (``user``) of ``role`` in branch ``here``, and the target's
    objects in the branch ``target`` names: ``here``, another branch of the
    company, or a branch of another company."""
    here = BranchFactory()
    company = here.company
    if role in (Role.OWNER, Role.ADMIN):
        user = UserFactory(role=role, branch=None, company=company)
    else:
        user = staff_of(here, role=role)
    branch = {"own": here, "other": BranchFactory(company=company), "foreign": BranchFactory()}[target]
    waiter = staff_of(branch)
    menu = CategoryFactory(company=branch.company)
    dish = MenuItemFactory(category=menu)
    item = MenuItemFactory(category=menu, branch=branch)
    shared = MenuItemFactory(category=menu)
    # The kitchen: a station of the target's branch, an order with a line whose one
    # portion is pending (``line``, ``task``) and a line of two, one cooking, one ready.
    station = StationFactory(branch=branch)
    cooked = station_dish(station)
    order_table = TableFactory(branch=branch, number=2)
    order = order_for(waiter, order_table, [(dish, 1), (cooked, 1), (cooked, 2)])
    line = OrderItem.unscoped.get(order=order, menu_item=cooked, quantity=1)
    busy = OrderItem.unscoped.get(order=order, menu_item=cooked, quantity=2)
    cooking, done = KitchenTask.unscoped.filter(line=busy).order_by("portion")
    KitchenTask.unscoped.filter(pk=cooking.pk).update(status=TaskStatus.IN_PROGRESS)
    KitchenTask.unscoped.filter(pk=done.pk).update(status=TaskStatus.READY)
    group = ModifierGroupFactory(menu_item=item)
    world = {
        "user": user,
        "here": here,
        "branch": branch,
        "boss": owner_of(branch.company),
        "waiter": waiter,
        "table": TableFactory(branch=branch, number=1),
        "sentinel": TableFactory(branch=here, number=99),
        "category": CategoryFactory(company=branch.company),
        "menu": menu,
        "my_menu": menu if branch.company == company else CategoryFactory(company=company),
        "dish": dish,
        "shared": shared,
        "item": item,
        "order": order,
        # Another open order of the order's table (merge).
        "second": order_for(waiter, order_table, [(dish, 1)]),
        "station": station,
        "spare_station": StationFactory(branch=branch),
        "line": line,
        "task": KitchenTask.unscoped.get(line=line),
        "cooking": cooking,
        "done": done,
        "group": group,
        "modifier": ModifierFactory(group=group),
        "shared_group": ModifierGroupFactory(menu_item=shared),
        # The caller's own branch: a menu change there is the kitchen sockets' sentinel.
        "sentinel_item": MenuItemFactory(category=CategoryFactory(company=company), branch=here),
        # Till: an open shift of the target's branch, and a closed order paid by card.
        "shift": open_shift(branch),
        "paid": paid(order_for(waiter, TableFactory(branch=branch, number=3), [(dish, 1)]), "card", shift=None),
    }
    return world


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


def snapshot() -> tuple:
    """Everything a refused write must leave as it was."""
    return (
        list(Table.unscoped.order_by("pk").values_list("pk", "number", "seats", "status")),
        list(Category.unscoped.order_by("pk").values_list("pk", "name", "position")),
        list(MenuItem.unscoped.order_by("pk").values_list("pk", "price", "branch", "category", "title")),
        list(Order.unscoped.order_by("pk").values_list("pk", "guests", "status", "table", "merged_into")),
        list(OrderItem.unscoped.order_by("pk").values_list("pk", "order", "quantity", "note", "voided_at")),
        # Payments
        list(Order.unscoped.order_by("pk").values_list("pk", "paid", "discount_kind", "split_checks")),
        list(OrderItem.unscoped.order_by("pk").values_list("pk", "discount_kind")),
        list(Branch.unscoped.order_by("pk").values_list("pk", "name", "service_charge_percent")),
        Payment.unscoped.count(),
        list(Station.unscoped.order_by("pk").values_list("pk", "name", "position")),
        list(ModifierGroup.unscoped.order_by("pk").values_list("pk", "name", "menu_item")),
        list(Modifier.unscoped.order_by("pk").values_list("pk", "name", "price")),
        list(MenuItemBranch.unscoped.order_by("pk").values_list("pk", "station", "is_available", "remaining")),
        list(KitchenTask.unscoped.order_by("pk").values_list("pk", "order", "line", "portion", "status", "cook")),
        list(User.objects.order_by("pk").values_list("pk", "first_name", "is_active", "role")),
        list(Shift.unscoped.order_by("pk").values_list("pk", "closed_at")),
        CashMovement.unscoped.count(),
        Refund.unscoped.count(),
        Event.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("row, role, target, expected", cells(sockets=False))
def test_rest(client_for, row, role, target, expected):
    world = build(role, target)
    method, path, body, listed = REQUESTS[row]
    before = snapshot()
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


def test_the_matrix_covers_every_rest_route():
    """A new route needs its row: every (method, route) the routers serve appears."""
    from accounts.urls import router as accounts_router
    from cafe.urls import router as cafe_router

    tried = {(method.upper(), _route(path)) for method, path, _, _ in REQUESTS.values()}
    served = set()
    for router in (cafe_router, accounts_router):
        for url in router.urls:
            route = _route(str(url.pattern))
            for method in url.callback.actions:
                if method in ("get", "post", "put", "patch", "delete"):
                    served.add((method.upper(), route))
    # 33, 34 of the kitchen (stations, modifiers, lines, fire, tasks), 3 of split/move/merge,
    # 9 of the till (shifts, refund), 9 of payments (pay, discounts, even split, branch settings), 2 reports
    assert len(served) == 90
    assert served - tried == set()


def _route(path: str) -> str:
    """ "/api/cafe/tables/{table}/" and "^tables/(?P<pk>[...])/$" (or any named id,
    ``(?P<line_id>...)``) → one shape."""
    import re

    path = re.sub(r"\(\?P<\w+>[^)]*\)", "{id}", path).strip("^$")
    path = re.sub(r"\{[a-z_]+\}", "{id}", path)
    return path.removeprefix("/api/cafe/").removeprefix("/api/users/")
