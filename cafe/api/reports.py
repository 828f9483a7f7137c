"""Daily and range reports, as JSON or, with ``?format=csv``, as a CSV file.

The API speaks JSON only (``core.formats.JSONOnly``); these two views are the one
narrow exception: they read ``format`` themselves (``json`` or ``csv``, anything
else answers 400 naming it) and build the CSV answer directly, so negotiation
and every error answer stay JSON."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Branch
from accounts.tenancy import MANAGING_ROLES, Tenant
from cafe.api import schema
from cafe.selectors.reports import report
from cafe.serializers import DailyReportFilter, RangeReportFilter, ReportSerializer, represent
from core.api import TenantViewSet
from core.concurrency import Limit, slot
from core.csvfile import Cell, csv_response

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


@schema.REPORTS
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

    def _branch(self, branch_id) -> Branch | None:
        """The asked branch (``filters`` checked it), a branch-bound user's own, or
        None: the whole company, for owners and admins."""
        if branch_id is not None:
            return self.tenant.branch_by_id(branch_id)
        return self.tenant.branch


def report_csv(answer: dict[str, Any]) -> list[list[Cell]]:
    """The rows of the report's CSV (``cafe.selectors.reports.report``'s answer): its
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
    for title, key in (("top items", "top_items"), ("top categories", "top_categories")):
        rows = [
            [name, rank, row["id"], row["name"], row["quantity"], row["revenue"]]
            for name, f in scopes
            for rank, row in enumerate(f[key], start=1)
        ]
        sections.append((title, ["scope", "rank", "id", "name", "quantity", "revenue"], rows))
    lines: list[list[Cell]] = [["report", answer["from"], answer["to"]]]
    for title, header, rows in sections:
        lines += [[], [title], header, *rows]
    return lines
