"""Suppliers, and the storeroom's documents: written as drafts, posted once.
Posting goes through the storeroom's one posting service
(``cafe.store.posting.stock_post``), in one transaction that locks the document
first and then the stock levels (in id order), the order the storeroom's lock
protocol sets, so a posting queues behind a sale instead of deadlocking with it.

- A purchase enters each line at its price: the level's average cost moves
  (moving weighted average, docs/inventory.md says why).
- A write-off takes the lines out at the average cost (409 below zero unless the
  branch allows negative stock).
- A transfer takes the lines out of its branch at that branch's average cost and
  enters them into ``to_branch`` at the same cost, both in the one transaction: the
  levels of both branches are locked together, in id order, before either posting.
- A count reads each ingredient's on hand under the level's lock at the moment it
  is posted and writes the difference to the counted quantity as a ``count``
  movement; sales before that moment are in the variance, sales after it are not."""

import dataclasses
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.models import Branch
from accounts.tenancy import Tenant, branch_for_write
from cafe.menu.events import menu_item_updated
from cafe.menu.selectors import menu_item_views
from cafe.purchasing.models import DocumentKind, DocumentStatus, StockDocument, StockDocumentLine, Supplier
from cafe.purchasing.selectors import document_get, supplier_get
from cafe.shared.services import save_unique
from cafe.store.models import Ingredient, MovementKind, StockLevel
from cafe.store.posting import Move, Posted, levels_locked, stock_post
from cafe.store.units import unit_convert, units_compatible
from core.errors import Conflict, room_for_one_more
from realtime.emit import PendingEvent, emit

ZERO = Decimal(0)

# Suppliers


def supplier_create(*, tenant: Tenant, **fields: Any) -> Supplier:
    # Counted without a lock, as the guest book is: concurrent creations may pass it by a few.
    room_for_one_more(
        tenant.scope(Supplier),
        settings.SUPPLIERS_MAX_PER_COMPANY,
        _("A company keeps at most %(limit)s suppliers (SUPPLIERS_MAX_PER_COMPANY)."),
    )
    supplier = Supplier(company=tenant.company, **fields)
    save_unique(supplier, "name", _("A supplier with this name already exists."))
    return supplier


@transaction.atomic
def supplier_update(*, tenant: Tenant, supplier_id: uuid.UUID, **changes: Any) -> Supplier:
    supplier = supplier_get(tenant=tenant, supplier_id=supplier_id)
    for name, value in changes.items():
        setattr(supplier, name, value)
    save_unique(supplier, "name", _("A supplier with this name already exists."))
    return supplier


def supplier_delete(*, tenant: Tenant, supplier_id: uuid.UUID) -> None:
    supplier = supplier_get(tenant=tenant, supplier_id=supplier_id)
    try:
        with transaction.atomic():
            supplier.delete()
    except ProtectedError:
        raise Conflict(_("The supplier has deliveries; it stays.")) from None


# Documents


def _to_branch(tenant: Tenant, branch: Branch, to_branch: uuid.UUID | None) -> Branch:
    """A transfer's destination: another branch of the caller's company (a manager
    sends from their own branch to any branch of the company)."""
    if to_branch is None:
        raise ValidationError({"to_branch": [_("This field is required.")]})
    found = Branch.unscoped.filter(company_id=tenant.company_id, pk=to_branch).first()
    if found is None:
        raise ValidationError({"to_branch": [_("Branch not found.")]})
    if found.pk == branch.pk:
        raise ValidationError({"to_branch": [_("A transfer goes to another branch.")]})
    return found


def _lines(tenant: Tenant, kind: str, lines: Sequence[dict[str, Any]]) -> list[tuple[Ingredient, dict[str, Any]]]:
    """The lines' ingredients (the company's), each once, in a unit of the
    ingredient's kind; a purchase's lines priced, others not; only a count's may be 0.
    Errors keyed by line index."""
    if len(lines) > settings.STOCK_DOCUMENT_MAX_LINES:
        raise ValidationError(
            {
                "lines": [
                    _("A document has at most %(limit)s lines (STOCK_DOCUMENT_MAX_LINES).")
                    % {"limit": settings.STOCK_DOCUMENT_MAX_LINES}
                ]
            }
        )
    found = tenant.scope(Ingredient).in_bulk({line["ingredient"] for line in lines})
    errors: dict[str, dict[str, list[str]]] = {}
    seen: set[uuid.UUID] = set()
    for index, line in enumerate(lines):
        ingredient = found.get(line["ingredient"])
        problem: tuple[str, str] | None = None
        if ingredient is None:
            problem = ("ingredient", _("Ingredient not found."))
        elif ingredient.pk in seen:
            problem = ("ingredient", _("Name each ingredient once."))
        elif not units_compatible(line["unit"], ingredient.unit):
            problem = (
                "unit",
                _("%(unit)s does not convert to %(base)s.") % {"unit": line["unit"], "base": ingredient.unit},
            )
        elif kind != DocumentKind.COUNT and line["quantity"] <= 0:
            problem = ("quantity", _("Ensure this value is greater than 0."))
        elif kind == DocumentKind.PURCHASE and line.get("price") is None:
            problem = ("price", _("A delivery's line gives its price."))
        elif kind != DocumentKind.PURCHASE and line.get("price") is not None:
            problem = ("price", _("Only a delivery's lines have a price."))
        if problem is not None:
            errors[str(index)] = {problem[0]: [problem[1]]}
        elif ingredient is not None:
            seen.add(ingredient.pk)
    if errors:
        raise ValidationError({"lines": errors})
    return [(found[line["ingredient"]], line) for line in lines]


@transaction.atomic
def document_create(
    *,
    tenant: Tenant,
    kind: str,
    date: Any,
    lines: Sequence[dict[str, Any]],
    branch: uuid.UUID | None = None,
    supplier: uuid.UUID | None = None,
    invoice: str = "",
    to_branch: uuid.UUID | None = None,
    reason: str = "",
    note: str = "",
) -> StockDocument:
    """A draft of ``kind`` for ``branch`` (a manager's own by default): a purchase
    names its ``supplier``, a write-off its ``reason``, a transfer its ``to_branch``."""
    where = branch_for_write(tenant, branch)
    document = StockDocument(
        company=tenant.company, kind=kind, branch=where, date=date, invoice=invoice, note=note, created_by=tenant.user
    )
    if kind == DocumentKind.PURCHASE:
        if supplier is None:
            raise ValidationError({"supplier": [_("This field is required.")]})
        found = tenant.scope(Supplier).filter(pk=supplier).first()
        if found is None:
            raise ValidationError({"supplier": [_("Supplier not found.")]})
        document.supplier = found
    if kind == DocumentKind.WRITE_OFF:
        if not reason:
            raise ValidationError({"reason": [_("Say why the stock is written off.")]})
        document.reason = reason
    if kind == DocumentKind.TRANSFER:
        document.to_branch = _to_branch(tenant, where, to_branch)
    checked = _lines(tenant, kind, lines)
    document.save()
    StockDocumentLine.objects.bulk_create(
        [
            StockDocumentLine(
                company_id=tenant.company_id,
                document=document,
                ingredient=ingredient,
                quantity=line["quantity"],
                unit=line["unit"],
                price=line.get("price"),
                position=position,
            )
            for position, (ingredient, line) in enumerate(checked)
        ]
    )
    return document_get(tenant=tenant, kind=kind, document_id=document.pk)


def _locked(tenant: Tenant, kind: str, document_id: uuid.UUID) -> StockDocument:
    document = document_get(tenant=tenant, kind=kind, document_id=document_id)
    return tenant.scope(StockDocument).select_for_update(of=("self",), no_key=True).get(pk=document.pk)


@transaction.atomic
def document_delete(*, tenant: Tenant, kind: str, document_id: uuid.UUID) -> None:
    document = _locked(tenant, kind, document_id)
    if document.status != DocumentStatus.DRAFT:
        raise Conflict(_("A posted document is history; it cannot be deleted."))
    document.delete()


def _base(line: StockDocumentLine, quantity: Decimal | None = None) -> Decimal:
    """The line's quantity (or ``quantity`` of its unit) in its ingredient's base unit."""
    return unit_convert(
        line.quantity if quantity is None else quantity, from_unit=line.unit, to_unit=line.ingredient.unit
    )


def _purchase(tenant: Tenant, document: StockDocument, lines: list[StockDocumentLine]) -> Posted:
    moves = []
    for line in lines:
        base = _base(line)
        # The price of one base unit: what the line cost over what it brought.
        cost = (line.price or ZERO) * line.quantity / base
        line.unit_cost = cost.quantize(Decimal("0.0001"))
        moves.append(Move(line.ingredient_id, MovementKind.PURCHASE, base, cost, document_id=document.pk))
    return stock_post(tenant=tenant, branch_id=document.branch_id, moves=moves)


def _write_off(tenant: Tenant, document: StockDocument, lines: list[StockDocumentLine]) -> Posted:
    moves = [
        Move(line.ingredient_id, MovementKind.WRITE_OFF, -_base(line), note=document.reason, document_id=document.pk)
        for line in lines
    ]
    posted = stock_post(tenant=tenant, branch_id=document.branch_id, moves=moves)
    for line, movement in zip(lines, posted.movements, strict=True):
        line.unit_cost = movement.unit_cost
    return posted


def _transfer(tenant: Tenant, document: StockDocument, lines: list[StockDocumentLine]) -> list[Posted]:
    """Out of the source at its average cost, into the destination at the same cost.
    Both branches' levels are locked together in id order first, so two transfers in
    opposite directions (or a transfer and a sale) queue instead of deadlocking."""
    ingredients = {line.ingredient_id for line in lines}
    company = receiving(tenant)
    _levels_made(company, [document.branch_id, document.to_branch_id], ingredients)  # type: ignore[list-item]
    list(
        company.scope(StockLevel)
        .filter(branch__in=[document.branch_id, document.to_branch_id], ingredient__in=list(ingredients))
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
        .values_list("pk", flat=True)
    )
    out = stock_post(
        tenant=tenant,
        branch_id=document.branch_id,
        moves=[
            Move(line.ingredient_id, MovementKind.TRANSFER_OUT, -_base(line), document_id=document.pk) for line in lines
        ],
    )
    cost = {movement.ingredient_id: movement.unit_cost for movement in out.movements}
    for line in lines:
        line.unit_cost = cost[line.ingredient_id]
    into = stock_post(
        tenant=company,
        branch_id=document.to_branch_id,  # type: ignore[arg-type]
        moves=[
            Move(
                line.ingredient_id,
                MovementKind.TRANSFER_IN,
                _base(line),
                cost[line.ingredient_id],
                document_id=document.pk,
            )
            for line in lines
        ],
    )
    return [out, into]


def receiving(tenant: Tenant) -> Tenant:
    """The tenant a transfer's receiving side is posted (and reported) as: the
    company's, for a manager sends into a branch outside their own scope. Only the
    transfer's destination, checked to be of the company, is written through it."""
    return dataclasses.replace(tenant, branch=None)


def _levels_made(tenant: Tenant, branch_ids: Sequence[uuid.UUID], ingredient_ids: set[uuid.UUID]) -> None:
    """Level rows (at zero) for the ingredients in the branches, where missing; not locked."""
    have = set(
        tenant.scope(StockLevel)
        .filter(branch__in=list(branch_ids), ingredient__in=list(ingredient_ids))
        .values_list("branch", "ingredient")
    )
    missing = [
        StockLevel(company_id=tenant.company_id, branch_id=branch, ingredient_id=ingredient)
        for branch in branch_ids
        for ingredient in sorted(ingredient_ids)
        if (branch, ingredient) not in have
    ]
    if missing:
        StockLevel.objects.bulk_create(missing, ignore_conflicts=True)


def _count(tenant: Tenant, document: StockDocument, lines: list[StockDocumentLine]) -> Posted:
    """The variance against the ledger at this moment, read under the levels' lock."""
    levels = levels_locked(tenant, document.branch_id, {line.ingredient_id for line in lines})
    moves = []
    for line in lines:
        level = levels[line.ingredient_id]
        line.expected = level.on_hand
        line.variance = (_base(line) - level.on_hand).quantize(Decimal("0.001"))
        line.unit_cost = level.avg_cost
        if line.variance:
            moves.append(Move(line.ingredient_id, MovementKind.COUNT, line.variance, document_id=document.pk))
    # A count never takes a level below zero (it sets it to what was counted).
    return stock_post(tenant=tenant, branch_id=document.branch_id, moves=moves, allow_negative=True)


@transaction.atomic
def document_post(*, tenant: Tenant, kind: str, document_id: uuid.UUID) -> StockDocument:
    """Posts a draft (409 once posted): its movements, the levels, ``stock_low`` for
    levels that crossed their threshold and ``menu_item_updated`` for the dishes whose
    portions left changed, sent after commit."""
    document = _locked(tenant, kind, document_id)
    if document.status != DocumentStatus.DRAFT:
        raise Conflict(_("The document is posted already."))
    lines = list(document.lines.select_related("ingredient").order_by("position", "id"))
    if kind == DocumentKind.PURCHASE:
        posted = [_purchase(tenant, document, lines)]
    elif kind == DocumentKind.WRITE_OFF:
        posted = [_write_off(tenant, document, lines)]
    elif kind == DocumentKind.TRANSFER:
        posted = _transfer(tenant, document, lines)
    else:
        posted = [_count(tenant, document, lines)]
    tenant.scope(StockDocumentLine).bulk_update(lines, ["expected", "variance", "unit_cost"])
    document.status, document.posted_at, document.posted_by = DocumentStatus.POSTED, timezone.now(), tenant.user
    document.save(update_fields=["status", "posted_at", "posted_by", "updated_at"])
    events: list[PendingEvent[Any]] = []
    sides = [(tenant, document.branch_id), (receiving(tenant), document.to_branch_id)]
    for (side, branch_id), one in zip(sides, posted, strict=False):
        events += one.events
        if one.items:
            events += menu_item_updated(menu_item_views(tenant=side, item_ids=one.items, branch_id=branch_id))
    emit(company_id=tenant.company_id, events=events)
    return document_get(tenant=tenant, kind=kind, document_id=document.pk)
