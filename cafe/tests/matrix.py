"""The isolation matrix: who may read and write what, as one table. Every REST
endpoint and socket, tried by each role on an object of their own branch, of another
branch of their company, and of another company. Each cell is one test, named after
it (``test_rest[PATCH table seats-waiter-other]``), driven through the real API with
real JWTs: the REST rows in ``cafe/tests/api/test_isolation_matrix.py``, the socket
rows in ``realtime/tests/consumers/test_isolation_matrix.py``.

Answers: a status code; ``in`` / ``out`` for a list that does or does not show
the object; ``accept`` / ``4005`` for a socket asking for the object's branch;
``yes`` / ``no`` for a socket that does or does not get the object's events;
``-`` where the target does not apply (the object is the same for "own" and
"other", or the request names none). A refused write changes nothing.

Owner and admin are company-wide; "own" is a branch of their company. The menu
has branch items (``item``) and shared items (``shared``, branch null, served
everywhere): branch roles read shared items and categories but never change them.

The world of a (role, target) pair is built once, not once per cell (a pytest plugin,
loaded by the root ``conftest.py``): the REST cells run each in a savepoint rolled back
over the shared world (``rest_world``); the socket cells, whose consumers read from
other threads and need commits, start each from a copy of the world taken right after
it was built (``socket_world``), and pytest-django empties the database after each.
Cells are listed world by world, and each world's cells form one xdist group, so a
world is built once per run even when the suite runs in parallel.
"""

import datetime
import uuid
from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Device, DisplayToken, Role
from accounts.tenancy import tenant_for
from cafe.bookings.services import booking_create
from cafe.floor.models import OpeningException, OpeningHours
from cafe.guests.models import Guest
from cafe.orders.models import KitchenTask, OrderItem, TaskStatus
from cafe.purchasing.models import StockDocument, Supplier
from cafe.purchasing.services import document_create, document_post
from cafe.store.models import Ingredient, Recipe, RecipeLine
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    StationFactory,
    TableFactory,
    UserFactory,
    ZoneFactory,
    open_shift,
    order_for,
    owner_of,
    paid,
    staff_of,
    station_dish,
)
from cafe.timeclock.models import ClockEntry

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
    # The floor's plan (docs/floor.md): the target's hall, its table moved onto it, and
    # the caller's own table (``sentinel``) onto the target's hall (only its own branch's).
    "PATCH table zone":         ("200 200 404", "200 200 404", "200 404 404", "403 404 404", "403 404 404", "403 404 404"),
    "PATCH sentinel zone=T":    ("200 400 400", "200 400 400", "200 400 400", "403 403 403", "403 403 403", "403 403 403"),
    "GET zones/":               ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET zone":                 ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST zones/ branch=T":     ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH zone":               ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT zone":                 ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE zone":              ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    # Opening hours: the target branch's Monday interval (``hours``) and closed date (``exception``).
    "GET opening-hours/":       ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET hours":                ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "GET opening-hours/week/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "200 400 400", "200 400 400",
                                 "200 400 400"),
    "POST opening-hours/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "PATCH hours":              ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT hours":                ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE hours":             ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET opening-exceptions/":  ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET exception":            ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST opening-exceptions/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "PATCH exception":          ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT exception":            ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE exception":         ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),

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
    # The book: any staff member of a branch asks when a party fits (docs/floor.md).
    "GET bookings/availability/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "200 400 400",
                                 "200 400 400", "200 400 400"),
    # Till: the target's branch has an open shift (``shift``), so opening another
    # answers 409 where the caller may reach the branch; ``paid`` is a closed order
    # paid by card (its refund needs no shift).
    "GET shifts/":              ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "403 403 403"),
    "GET shift":                ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "GET shifts current/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "200 400 400", "200 400 400",
                                 "403 403 403"),
    # A branch as of one seq (docs/snapshot.md): every role of the branch reads it.
    "GET snapshot/ branch=T":   ("200 200 400", "200 200 400", "200 400 400", "200 400 400", "200 400 400", "200 400 400"),
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
    # Display tokens for the pickup screen (docs/web.md).
    "GET display-tokens/":      ("in in out",   "in in out",   "in out out",  "403 403 403", "403 403 403", "403 403 403"),
    "POST display-tokens/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "DELETE display-token":     ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    # Registered devices and PINs (docs/devices.md); the device-credential routes
    # (devices/me/, devices/me/staff/, devices/pin-login/) name no role: cafe/tests/api/test_devices.py.
    "GET devices/":             ("in in out",   "in in out",   "in out out",  "403 403 403", "403 403 403", "403 403 403"),
    "GET device":               ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST devices/ branch=T":   ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403", "403 403 403"),
    "PATCH device":             ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE device":            ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT pin":                  ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE pin":               ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST me/pin/":             ("400 - -",     "400 - -",     "204 - -",     "204 - -",     "204 - -",     "204 - -"),
    # The time clock (docs/devices.md): ``entry`` is the target's waiter's open entry;
    # staff below manager see and clock only themselves.
    "GET timeclock/":           ("in in out",   "in in out",   "in out out",  "out out out", "out out out", "out out out"),
    "GET timeclock entry":      ("200 200 404", "200 200 404", "200 404 404", "404 404 404", "404 404 404", "404 404 404"),
    "POST timeclock correct/":  ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST clock-in branch=T":   ("201 201 400", "201 201 400", "201 400 400", "201 400 400", "201 400 400", "201 400 400"),
    "GET timeclock/me/":        ("200 - -",     "200 - -",     "200 - -",     "200 - -",     "200 - -",     "200 - -"),
    # The caller's own clock: nobody calling is clocked in (``entry`` is another waiter's).
    "POST timeclock clock-out/": ("409 - -",    "409 - -",     "409 - -",     "409 - -",     "409 - -",     "409 - -"),
    "POST timeclock break-start/": ("409 - -",  "409 - -",     "409 - -",     "409 - -",     "409 - -",     "409 - -"),
    "POST timeclock break-end/": ("409 - -",    "409 - -",     "409 - -",     "409 - -",     "409 - -",     "409 - -"),
    "GET hours/ branch=T":      ("200 200 400", "200 200 400", "200 400 400", "200 400 400", "200 400 400", "200 400 400"),
    "GET clock report/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),

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

    # The guest book (docs/floor.md, "Guests"): company-wide, so "other" is the same as "own";
    # cooks have no use for it, exports span every branch (owner, admin), erasing is a manager's.
    "GET guests/":              ("in - out",    "in - out",    "in - out",    "in - out",    "in - out",    "403 - 403"),
    "GET guest":                ("200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "403 - 403"),
    "POST guests/":             ("201 - -",     "201 - -",     "201 - -",     "201 - -",     "201 - -",     "403 - -"),
    "PATCH guest":              ("200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "403 - 403"),
    "GET guest history/":       ("200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "403 - 403"),
    "GET guest export/":        ("200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403",   "403 - 403"),
    "POST guest erase/":        ("200 - 404",   "200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    # The book: ``booking`` is a booking of the target's branch (table 4, tomorrow).
    "GET bookings/":            ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET booking":              ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST bookings/ tables=T":  ("201 201 400", "201 201 400", "201 400 400", "201 400 400", "201 400 400", "403 403 403"),
    "PATCH booking note":       ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST booking confirm/":    ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST booking cancel/":     ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST booking no-show/":    ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),
    "POST booking arrive/":     ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "403 403 403"),

    # The storeroom (docs/inventory.md): ingredients are the company's (``ingredient``: one
    # nothing names); ``recipe`` is the target branch's recipe of its own dish; stock,
    # its ledger and settings are asked for the target's branch.
    "GET ingredients/":         ("in - out",    "in - out",    "in - out",    "in - out",    "in - out",    "in - out"),
    "GET ingredient":           ("200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404",   "200 - 404"),
    "POST ingredients/":        ("201 - -",     "201 - -",     "403 - -",     "403 - -",     "403 - -",     "403 - -"),
    "PATCH ingredient":         ("200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403",   "403 - 403"),
    "PUT ingredient":           ("200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403",   "403 - 403"),
    "DELETE ingredient":        ("204 - 404",   "204 - 404",   "403 - 403",   "403 - 403",   "403 - 403",   "403 - 403"),
    "POST ingredient threshold/ branch=T": ("200 200 404", "200 200 404", "200 400 404", "403 403 403",
                                 "403 403 403", "403 403 403"),
    "GET recipes/":             ("in in out",   "in in out",   "in out out",  "in out out",  "in out out",  "in out out"),
    "GET recipe":               ("200 200 404", "200 200 404", "200 404 404", "200 404 404", "200 404 404", "200 404 404"),
    "POST recipes/ shared branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "PATCH recipe":             ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "PUT recipe":               ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "DELETE recipe":            ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET stock/ branch=T":      ("200 200 400", "200 200 400", "200 400 400", "200 400 400", "200 400 400", "200 400 400"),
    "GET stock/movements/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "GET stock/settings/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "200 400 400", "200 400 400",
                                 "200 400 400"),
    "PUT stock/settings/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),

    # The storeroom's documents (docs/inventory.md): the company's ``supplier`` (and a
    # ``spare_supplier`` with no deliveries), and drafts of the target's branch: a
    # ``purchase``, a ``write_off`` and a ``transfer`` (to ``far``, another branch of the
    # target's company) of the cheese it holds, and a ``count``. Costs: owner, admin, manager.
    "GET suppliers/":           ("in - out",    "in - out",    "in - out",    "403 - 403",   "403 - 403",   "403 - 403"),
    "GET supplier":             ("200 - 404",   "200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    "POST suppliers/":          ("201 - -",     "201 - -",     "201 - -",     "403 - -",     "403 - -",     "403 - -"),
    "PATCH supplier":           ("200 - 404",   "200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    "PUT supplier":             ("200 - 404",   "200 - 404",   "200 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    "DELETE supplier":          ("204 - 404",   "204 - 404",   "204 - 404",   "403 - 403",   "403 - 403",   "403 - 403"),
    "GET purchases/":              ("in in out",   "in in out",   "in out out",  "403 403 403", "403 403 403", "403 403 403"),
    "GET purchase":                ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST purchases/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "DELETE purchase":             ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST purchase post/":         ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET write-offs/":             ("in in out",   "in in out",   "in out out",  "403 403 403", "403 403 403", "403 403 403"),
    "GET write_off":               ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST write-offs/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "DELETE write_off":            ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST write_off post/":        ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET transfers/":              ("in in out",   "in in out",   "in out out",  "403 403 403", "403 403 403", "403 403 403"),
    "GET transfer":                ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST transfers/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "DELETE transfer":             ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST transfer post/":         ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET stock-counts/":           ("in in out",   "in in out",   "in out out",  "403 403 403", "403 403 403", "403 403 403"),
    "GET count":                   ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST stock-counts/ branch=T": ("201 201 400", "201 201 400", "201 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "DELETE count":                ("204 204 404", "204 204 404", "204 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "POST count post/":            ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET count variance/":      ("200 200 404", "200 200 404", "200 404 404", "403 403 403", "403 403 403", "403 403 403"),
    "GET reports/food-cost/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),
    "GET reports/abc/ branch=T": ("200 200 400", "200 200 400", "200 400 400", "403 403 403", "403 403 403",
                                 "403 403 403"),

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
    # A hall of the target's branch renamed (zone_updated), live and replayed.
    "WS tables zone live":      ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    "WS tables zone since=0":   ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    # A portion of the target's branch claimed; the sentinel is a menu change in the caller's.
    "WS kitchen live":          ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
    "WS kitchen since=0":       ("yes yes no",  "yes yes no",  "yes no no",   "yes no no",   "yes no no",   "yes no no"),
}
# fmt: on


def cells(sockets: bool) -> list:
    """One pytest param per cell of the REST rows (or of the socket rows), world by
    world; the cells of a world are one xdist group (``--dist loadgroup``)."""
    params = []
    for role in ROLES:
        for target in TARGETS:
            group = pytest.mark.xdist_group(f"matrix-{'ws' if sockets else 'rest'}-{role}-{target}")
            for row, answers in MATRIX.items():
                if row.startswith("WS ") != sockets:
                    continue
                assert len(answers) == len(ROLES), row
                expected = answers[ROLES.index(role)].split()[TARGETS.index(target)]
                if expected != "-":
                    params.append(pytest.param(row, role, target, expected, id=f"{row}-{role}-{target}", marks=group))
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
        # The guest book is the company's: a guest of the target's company.
        "guest": Guest.objects.create(company=branch.company, name="Anna", phone="+79161234567"),
        "display": DisplayToken.objects.create(company=branch.company, branch=branch, key_hash=uuid.uuid4().hex),
        # The book: a booking of table 4 tomorrow.
        "booking": booking_create(
            tenant=tenant_for(waiter),
            tables=[TableFactory(branch=branch, number=4).pk],
            start=timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=1),
            guests=2,
            guest_name="Anna",
        ),
        # The floor: a hall, the hours of the weekday new bookings start on (all day, so
        # they stay bookable) and a closed date of the target's branch.
        "zone": ZoneFactory(branch=branch),
        "hours": OpeningHours.unscoped.create(
            company=branch.company, branch=branch, weekday=BOOKABLE.weekday(), opens=MIDNIGHT, closes=MIDNIGHT
        ),
        "exception": OpeningException.unscoped.create(
            company=branch.company, branch=branch, date=datetime.date(2026, 12, 31)
        ),
        "entry": ClockEntry.objects.create(
            company=branch.company, branch=branch, employee=waiter, started_at=timezone.now()
        ),
        "device": Device.objects.create(
            company=branch.company, branch=branch, name="Tablet", views=["floor"], key_hash=uuid.uuid4().hex
        ),
    }
    # The storeroom (docs/inventory.md): an ingredient nothing names, and the target
    # branch's recipe of its own dish, made of cheese.
    cheese = Ingredient.objects.create(company=branch.company, name="Cheese", unit="g")
    recipe = Recipe.objects.create(company=branch.company, menu_item=item, branch=branch)
    RecipeLine.objects.create(company=branch.company, recipe=recipe, ingredient=cheese, quantity=100, unit="g")
    world.update(
        ingredient=Ingredient.objects.create(company=branch.company, name="Flour", unit="kg"),
        cheese=cheese,
        recipe=recipe,
    )
    _documents(world)
    return world


def _documents(world: dict) -> None:
    """The storeroom's documents of the target's branch (see the rows): drafts, and
    2 kg of cheese posted there so a write-off or transfer of some of it can post."""
    branch, cheese = world["branch"], world["cheese"]
    boss = tenant_for(world["boss"])
    supplier = Supplier.objects.create(company=branch.company, name="Fresh Farm")
    lines = [{"ingredient": cheese.pk, "quantity": Decimal(500), "unit": "g"}]

    def draft(kind: str, **fields) -> StockDocument:
        return document_create(tenant=boss, kind=kind, branch=branch.pk, date=datetime.date(2026, 3, 14), **fields)

    stocked = draft("purchase", supplier=supplier.pk, lines=[{**lines[0], "quantity": Decimal(2000), "price": 1}])
    document_post(tenant=boss, kind="purchase", document_id=stocked.pk)
    far = BranchFactory(company=branch.company)
    world.update(
        supplier=supplier,
        spare_supplier=Supplier.objects.create(company=branch.company, name="Spare"),
        far=far,
        purchase=draft("purchase", supplier=supplier.pk, lines=[{**lines[0], "price": Decimal(1)}]),
        write_off=draft("write_off", reason="spoiled", lines=lines),
        transfer=draft("transfer", to_branch=far.pk, lines=lines),
        count=draft("count", lines=lines),
    )


# When new bookings of the rows start: tomorrow, in the branch's zone (UTC in these worlds).
BOOKABLE = (timezone.now() + datetime.timedelta(days=1, hours=1)).replace(second=0, microsecond=0)
MIDNIGHT = datetime.time(0)
# A weekday with no hours in the worlds, for the row that adds some.
FREE_WEEKDAY = (BOOKABLE.weekday() + 3) % 7


class _Worlds:
    """The world of one (role, target) pair at a time, in a transaction left open
    until another pair is asked for (or the module ends), then rolled back."""

    def __init__(self) -> None:
        self.key: tuple[str, str] | None = None
        self.world: dict = {}
        self._atomic: transaction.Atomic | None = None

    def get(self, role: str, target: str) -> dict:
        if self.key != (role, target):
            self.close()
            assert not connection.in_atomic_block, "the world is built outside any test's transaction"
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.world, self.key = build(role, target), (role, target)
        assert connection.atomic_blocks == [self._atomic], "the cell's own transaction starts after the world"
        return self.world

    def close(self) -> None:
        if self._atomic is not None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            self._atomic, self.key, self.world = None, None, {}


@pytest.fixture(scope="module")
def _rest_worlds(django_db_setup, django_db_blocker):
    worlds = _Worlds()
    yield worlds
    with django_db_blocker.unblock():
        worlds.close()


@pytest.fixture
def rest_world(request, _rest_worlds, django_db_blocker) -> dict:
    """The world of the cell's (role, target) parameters, shared by the module's cells
    of that pair. The test requests ``db`` after this fixture: pytest-django then runs
    it in a savepoint over the world, rolled back after it, so nothing a cell writes
    reaches the next one. (The world is built before the cell's transaction, so that
    it outlives it.)"""
    params = request.node.callspec.params
    with django_db_blocker.unblock():
        return _rest_worlds.get(params["role"], params["target"])


# What a world is made of: the rows a copy of it takes (pytest-django empties every
# table after a transactional test, and refills Django's own: content types, permissions).
WORLD_APPS = ("core", "accounts", "realtime", "cafe", "token_blacklist")


def _world_rows() -> str:
    models = [model for label in WORLD_APPS for model in apps.get_app_config(label).get_models()]
    return serializers.serialize("json", [row for model in models for row in model._base_manager.order_by("pk")])


def _load_rows(rows: str) -> None:
    """Writes a world's rows back, a statement per table (as ``loaddata`` would, row by
    row, each an UPDATE then an INSERT, was most of a socket cell's time)."""
    tables: defaultdict[type, list] = defaultdict(list)
    related = []
    for row in serializers.deserialize("json", rows):
        tables[type(row.object)].append(row.object)
        if row.m2m_data:
            related.append(row)
    with transaction.atomic(), connection.constraint_checks_disabled():
        for model, objects in tables.items():
            model._base_manager.bulk_create(objects)
        for row in related:
            for name, values in row.m2m_data.items():
                getattr(row.object, name).set(values)


@pytest.fixture(scope="module")
def _socket_worlds() -> dict:
    return {}


@pytest.fixture
def socket_world(_socket_worlds, transactional_db):
    """``await socket_world(role, target)``: the pair's world, committed (the consumers
    read it from other threads). The module's first cell of a pair builds it and keeps
    a copy of its rows; the pair's next cells start from that copy, so each cell sees
    the world as it was built, and nothing an earlier cell wrote."""
    from channels.db import database_sync_to_async

    def make(role: str, target: str) -> dict:
        if (role, target) in _socket_worlds:
            world, rows = _socket_worlds[role, target]
            _load_rows(rows)
            return world
        world = build(role, target)
        _socket_worlds[role, target] = (world, _world_rows())
        return world

    return database_sync_to_async(make)
