"""The bill's REST edges: an order's bill (``orders/{id}/pay/``, discounts, the even
split, refunds), the till's cash shifts and the sales reports."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import Branch
from accounts.tenancy import ALL_ROLES, MANAGING_ROLES, Tenant, branch_for_write
from accounts.viewsets import TenantViewSet
from cafe.bill.costs import abc, food_cost
from cafe.bill.reports import report
from cafe.bill.schema import PAYMENTS, REFUNDS, REPORTS, SHIFTS
from cafe.bill.selectors import cash_movement_list, shift_current, shift_get, shift_list, shift_report
from cafe.bill.serializers import (
    AbcFilter,
    AbcSerializer,
    CashMovementInput,
    CashMovementSerializer,
    CurrentShiftFilter,
    DailyReportFilter,
    DiscountInput,
    FoodCostFilter,
    FoodCostSerializer,
    OrderChecksSerializer,
    PayInput,
    RangeReportFilter,
    RefundInput,
    ReportSerializer,
    ShiftCloseInput,
    ShiftFilter,
    ShiftOpenInput,
    ShiftReportSerializer,
    ShiftSerializer,
    SplitEvenInput,
)
from cafe.bill.services import order_checks, order_discount_remove, order_discount_set, order_pay, order_split_even
from cafe.bill.till import order_refund, shift_cash_move, shift_close, shift_open
from cafe.orders.selectors import order_get
from cafe.orders.serializers import OrderSerializer
from cafe.shared.roles import ORDER_TAKING_ROLES, TILL_ROLES
from cafe.shared.serializers import represent
from core.api import UUID_PATTERN, valid
from core.concurrency import Limit, slot
from core.csvfile import Cell, csv_response
from core.idempotency import idempotent


@PAYMENTS
@REFUNDS
class OrderBillViewSet(TenantViewSet):
    """The bill's actions on an order, routed under ``orders/{id}/`` beside the order's
    own (``cafe.orders.api.OrderViewSet``), with its roles: everyone reads, everyone
    but cooks pays and discounts, managers and above refund."""

    serializer_class = OrderSerializer
    read_roles = ALL_ROLES
    write_roles = ORDER_TAKING_ROLES
    action_roles = {"refund": MANAGING_ROLES}

    @action(detail=True, methods=["post"])
    @idempotent
    def pay(self, request, pk) -> Response:
        order = order_pay(tenant=self.tenant, order_id=pk, **valid(PayInput, request.data))
        return Response(represent(OrderSerializer, order))

    # One action per URL, POST and DELETE (documented per method: cafe.bill.schema.PAYMENTS).

    @action(detail=True, methods=["post", "delete"])
    @idempotent
    def discount(self, request, pk) -> Response:
        if request.method == "DELETE":
            order = order_discount_remove(tenant=self.tenant, order_id=pk)
        else:
            order = order_discount_set(tenant=self.tenant, order_id=pk, **valid(DiscountInput, request.data))
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post", "delete"], url_path=rf"lines/(?P<line_id>{UUID_PATTERN})/discount")
    @idempotent
    def line_discount(self, request, pk, line_id) -> Response:
        if request.method == "DELETE":
            order = order_discount_remove(tenant=self.tenant, order_id=pk, line_id=line_id)
        else:
            changes = valid(DiscountInput, request.data)
            order = order_discount_set(tenant=self.tenant, order_id=pk, line_id=line_id, **changes)
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post", "delete"], url_path="split-even")
    @idempotent
    def split_even(self, request, pk) -> Response:
        checks = None if request.method == "DELETE" else valid(SplitEvenInput, request.data)["checks"]
        return self._checks(*order_split_even(tenant=self.tenant, order_id=pk, checks=checks))

    @action(detail=True, methods=["get"])
    def checks(self, request, pk) -> Response:
        order = order_get(tenant=self.tenant, order_id=pk)
        return self._checks(order, order_checks(order))

    def _checks(self, order, checks) -> Response:
        return Response(represent(OrderChecksSerializer, {"order": order, "checks": checks}))

    @action(detail=True, methods=["post"])
    @idempotent
    def refund(self, request, pk) -> Response:
        order = order_refund(tenant=self.tenant, order_id=pk, **valid(RefundInput, request.data))
        return Response(represent(OrderSerializer, order), status=status.HTTP_201_CREATED)


# The till's REST edges: cash shifts (open, cash in/out, close, X / Z report) and
# refunds (``OrderBillViewSet.refund``). Rules: docs/till.md.


@SHIFTS
class ShiftViewSet(TenantViewSet):
    serializer_class = ShiftSerializer
    # Whoever takes orders reads shifts (a tablet asks whether it can take cash);
    # the till (cashiers, managers and above) opens, closes, moves cash and reads
    # the movements and reports.
    read_roles = ORDER_TAKING_ROLES
    write_roles = TILL_ROLES
    action_roles = {"cash": TILL_ROLES, "report": TILL_ROLES}

    def list(self, request) -> Response:
        return self.page(shift_list(tenant=self.tenant, **self.filters(ShiftFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(ShiftSerializer, shift_get(tenant=self.tenant, shift_id=pk)))

    @action(detail=False, methods=["get"])
    def current(self, request) -> Response:
        """The branch's open shift; 404 when none is open."""
        branch = self.filters(CurrentShiftFilter).get("branch") or getattr(self.tenant.branch, "pk", None)
        if branch is None:
            raise ValidationError({"branch": [_("This field is required.")]})
        return Response(represent(ShiftSerializer, shift_current(tenant=self.tenant, branch_id=branch)))

    @idempotent
    def create(self, request) -> Response:
        shift = shift_open(tenant=self.tenant, **valid(ShiftOpenInput, request.data))
        return Response(represent(ShiftSerializer, shift), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"], pagination_class=None)  # the whole list: a shift has few
    def cash(self, request, pk) -> Response:
        """GET lists the shift's cash movements; POST adds one."""
        if request.method == "POST":
            return self._add_cash(request, pk)
        movements = cash_movement_list(tenant=self.tenant, shift_id=pk)
        return Response([represent(CashMovementSerializer, movement) for movement in movements])

    @idempotent
    def _add_cash(self, request, pk) -> Response:
        movement = shift_cash_move(tenant=self.tenant, shift_id=pk, **valid(CashMovementInput, request.data))
        return Response(represent(CashMovementSerializer, movement), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk) -> Response:
        shift = shift_close(tenant=self.tenant, shift_id=pk, **valid(ShiftCloseInput, request.data))
        return Response(represent(ShiftSerializer, shift))

    @action(detail=True, methods=["get"])
    def report(self, request, pk) -> Response:
        """The X report while the shift is open, the Z report once it is closed."""
        return Response(represent(ShiftReportSerializer, shift_report(tenant=self.tenant, shift_id=pk)))


# Daily and range reports, as JSON or, with ``?format=csv``, as a CSV file.
#
# The API speaks JSON only (``core.formats.JSONOnly``); these two views are the one
# narrow exception: they read ``format`` themselves (``json`` or ``csv``, anything
# else answers 400 naming it) and build the CSV answer directly, so negotiation
# and every error answer stay JSON.


# Seconds a refused report (429) is asked to wait: a report takes about a second.
BUSY_RETRY_AFTER = 2


def report_limits(tenant: Tenant) -> list[Limit]:
    """The concurrency bounds every report request is under (docs/reports.md, "Limits")."""
    per_user, per_company = settings.REPORT_CONCURRENCY_PER_USER, settings.REPORT_CONCURRENCY_PER_COMPANY
    return [
        Limit(
            f"report:user:{tenant.user.pk}",
            per_user,
            _(
                "A report you asked for is still being prepared (at most %(count)s at a time per user); "
                "ask again when it is done."
            )
            % {"count": per_user},
        ),
        Limit(
            f"report:company:{tenant.company.pk}",
            per_company,
            _("Your company has %(count)s reports being prepared, the most at a time; ask again shortly.")
            % {"count": per_company},
        ),
    ]


@REPORTS
class ReportViewSet(TenantViewSet):
    serializer_class = ReportSerializer
    # Managers see their branch; owners and admins a branch or the whole company.
    read_roles = MANAGING_ROLES
    # There are no writes: the same roles get 405 for any other method, the rest 403.
    write_roles = MANAGING_ROLES

    @action(detail=False, methods=["get"])
    def daily(self, request) -> HttpResponse:
        query = self.filters(DailyReportFilter)
        return self._answer(query, query["date"], query["date"], "daily")

    @action(detail=False, methods=["get"], url_path="range", url_name="range")
    def range_(self, request) -> HttpResponse:
        query = self.filters(RangeReportFilter)
        return self._answer(query, query["from"], query["to"], "range")

    def _answer(self, query: dict, first, last, kind: str) -> HttpResponse:
        branch = self._branch(query.get("branch"))
        # The slot covers building the answer too: a company's CSV is work as well.
        with slot(*report_limits(self.tenant), lease=settings.REPORT_LEASE_SECONDS, retry_after=BUSY_RETRY_AFTER):
            figures = report(tenant=self.tenant, first=first, last=last, branch=branch)
            if query["format"] != "csv":
                return Response(represent(ReportSerializer, figures))
            where = branch.pk if branch is not None else "company"
            name = f"report-{kind}-{first}" + (f"-{last}" if last != first else "") + f"-{where}.csv"
            # From the figures as computed (money as Decimal): core.csvfile writes numbers as numbers.
            return csv_response(report_csv(figures), filename=name)

    @action(detail=False, methods=["get"], url_path="food-cost", url_name="food-cost")
    def food_cost(self, request) -> HttpResponse:
        """Each dish's cost from its recipe at the branch's current average prices."""
        query = self.filters(FoodCostFilter)
        branch = branch_for_write(self.tenant, query.get("branch"))
        answer = {"branch": branch.pk, "items": food_cost(tenant=self.tenant, branch=branch)}
        return Response(represent(FoodCostSerializer, answer))

    @action(detail=False, methods=["get"])
    def abc(self, request) -> HttpResponse:
        query = self.filters(AbcFilter)
        branch = self._branch(query.get("branch"))
        with slot(*report_limits(self.tenant), lease=settings.REPORT_LEASE_SECONDS, retry_after=BUSY_RETRY_AFTER):
            answer = abc(tenant=self.tenant, first=query["from"], last=query["to"], branch=branch)
        if query["format"] != "csv":
            return Response(represent(AbcSerializer, answer))
        where = branch.pk if branch is not None else "company"
        return csv_response(abc_csv(answer), filename=f"abc-{query['from']}-{query['to']}-{where}.csv")

    def _branch(self, branch_id) -> Branch | None:
        """The asked branch (``filters`` checked it), a branch-bound user's own, or
        None: the whole company, for owners and admins."""
        if branch_id is not None:
            return self.tenant.branch_by_id(branch_id)
        return self.tenant.branch


ABC_COLUMNS = [
    "id",
    "name",
    "quantity",
    "weight",
    "revenue",
    "cost",
    "margin",
    "revenue_share",
    "food_cost_percent",
    "revenue_class",
    "quantity_class",
    "margin_class",
]


def abc_csv(answer: dict[str, Any]) -> list[list[Cell]]:
    """The ABC analysis as CSV: a title line, the header, a row per item (by revenue)."""
    head: list[Cell] = list(ABC_COLUMNS)
    rows: list[list[Cell]] = [[row[key] for key in ABC_COLUMNS] for row in answer["items"]]
    return [["abc", answer["from"], answer["to"]], head, *rows]


def report_csv(answer: dict[str, Any]) -> list[list[Cell]]:
    """The rows of the report's CSV (``cafe.bill.reports.report``'s answer): its
    tables one after another, each under its title line and a header line, with an
    empty line between; each row starts with its scope (the branch's name; ``all``
    for a company report's totals). Money is ``Decimal`` (written plain, ``350.00``);
    names are text, which ``core.csvfile`` escapes."""
    scopes = [(answer["branch"]["name"] if answer["branch"] else "all", answer["totals"])]
    scopes += [(part["branch"]["name"], part) for part in answer["branches"]]
    fields = list(answer["totals"]["summary"])
    sections: list[tuple[str, list[Cell], list[list[Cell]]]] = [
        ("summary", ["scope", *fields], [[name, *(f["summary"][key] for key in fields)] for name, f in scopes]),
        (
            "payments",
            ["scope", "method", "amount", "tips", "count"],
            [
                [name, row["method"], row["amount"], row["tips"], row["count"]]
                for name, f in scopes
                for row in f["payments"]
            ],
        ),
        (
            "refunds",
            ["scope", "method", "amount", "count"],
            [[name, row["method"], row["amount"], row["count"]] for name, f in scopes for row in f["refunds"]],
        ),
    ]
    sections.append(
        (
            "by hour",
            ["scope", "hour", "revenue", "orders"],
            [[name, row["hour"], row["revenue"], row["orders"]] for name, f in scopes for row in f["by_hour"]],
        )
    )
    for title, key in (("top items", "top_items"), ("top categories", "top_categories")):
        rows = [
            [name, rank, row["id"], row["name"], row["quantity"], row["revenue"], row["weight"]]
            for name, f in scopes
            for rank, row in enumerate(f[key], start=1)
        ]
        sections.append((title, ["scope", "rank", "id", "name", "quantity", "revenue", "weight_kg"], rows))
    lines: list[list[Cell]] = [["report", answer["from"], answer["to"]]]
    for title, header, rows in sections:
        lines += [[], [title], header, *rows]
    return lines
