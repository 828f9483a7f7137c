import copy
import uuid
from collections.abc import Collection, Mapping

from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, Subquery, UUIDField, Value, When
from django.db.models.functions import Coalesce

from accounts.tenancy import Tenant
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station


def category_list(*, tenant: Tenant) -> QuerySet[Category]:
    return tenant.scope(Category)


def category_get(*, tenant: Tenant, category_id: uuid.UUID) -> Category:
    return category_list(tenant=tenant).get(pk=category_id)


def in_branch(tenant: Tenant, items: QuerySet[MenuItem], branch_id: uuid.UUID) -> QuerySet[MenuItem]:
    """Items as one branch sees them: a company-wide item with that branch's station,
    availability and remaining count (``MenuItemBranch``), for the serializer."""
    here = tenant.scope(MenuItemBranch).filter(menu_item=OuterRef("pk"), branch=branch_id)
    return items.annotate(
        station_here=Case(
            When(branch__isnull=True, then=Subquery(here.values("station_id")[:1])),
            default=F("station_id"),
            output_field=UUIDField(),
        ),
        available_here=Case(
            When(is_available=False, then=Value(False)),
            When(branch__isnull=True, then=Coalesce(Subquery(here.values("is_available")[:1]), Value(True))),
            default=Value(True),
            output_field=BooleanField(),
        ),
        remaining_here=Case(
            When(branch__isnull=True, then=Subquery(here.values("remaining")[:1])), default=F("remaining")
        ),
    )


def menu_item_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[MenuItem]:
    """Items a tenant may see: company-wide items and those of their branches; with a
    branch (always, for branch-bound staff) as that branch sees them."""
    items = tenant.scope(MenuItem).select_related("category").prefetch_related("modifier_groups__modifiers")
    if tenant.branch is not None:
        branch = tenant.branch.pk
    elif branch is not None:
        items = items.filter(Q(branch__isnull=True) | Q(branch=branch))
    return in_branch(tenant, items, branch) if branch else items


def menu_item_get(*, tenant: Tenant, menu_item_id: uuid.UUID) -> MenuItem:
    return menu_item_list(tenant=tenant).get(pk=menu_item_id)


def menu_for_branch(*, tenant: Tenant, branch_id: uuid.UUID) -> QuerySet[MenuItem]:
    """The items served in one branch of the tenant's (the branch of an order being written)."""
    return tenant.scope(MenuItem).filter(Q(branch__isnull=True) | Q(branch=branch_id))


def menu_item_branch_list(*, tenant: Tenant, menu_item_id: uuid.UUID) -> QuerySet[MenuItemBranch]:
    """A company-wide item's settings in the branches the tenant may see."""
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    return tenant.scope(MenuItemBranch).filter(menu_item=item).order_by("branch__name")


def station_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[Station]:
    stations = tenant.scope(Station)
    return stations.filter(branch=branch) if branch else stations


def station_get(*, tenant: Tenant, station_id: uuid.UUID) -> Station:
    return station_list(tenant=tenant).get(pk=station_id)


def station_in_scope(*, tenant: Tenant, station_id: uuid.UUID, branch_id: str | None) -> bool:
    """Whether a socket of ``tenant`` bound to ``branch_id`` (None: the whole company)
    may narrow itself to the station (the kitchen socket's narrowing check,
    ``cafe.menu.events.STATION``)."""
    stations = tenant.scope(Station).filter(pk=station_id)
    return (stations.filter(branch=uuid.UUID(branch_id)) if branch_id else stations).exists()


def modifier_group_list(*, tenant: Tenant, menu_item: uuid.UUID | None = None) -> QuerySet[ModifierGroup]:
    """Groups of the menu items the tenant may see."""
    groups = tenant.scope(ModifierGroup).prefetch_related("modifiers")
    return groups.filter(menu_item=menu_item) if menu_item else groups


def modifier_group_get(*, tenant: Tenant, group_id: uuid.UUID) -> ModifierGroup:
    return modifier_group_list(tenant=tenant).get(pk=group_id)


def modifier_list(*, tenant: Tenant, group: uuid.UUID | None = None) -> QuerySet[Modifier]:
    modifiers = tenant.scope(Modifier).select_related("group")
    return modifiers.filter(group=group) if group else modifiers


def modifier_get(*, tenant: Tenant, modifier_id: uuid.UUID) -> Modifier:
    return modifier_list(tenant=tenant).get(pk=modifier_id)


def menu_item_views(
    *,
    tenant: Tenant,
    item_ids: Collection[uuid.UUID],
    branch_id: uuid.UUID | None = None,
    known: Mapping[uuid.UUID, MenuItem] | None = None,
) -> list[tuple[uuid.UUID, MenuItem]]:
    """(branch, item as it sees it) for each item in each branch that serves it: the
    given branch, or every branch the tenant may see (what a ``menu_item_updated``
    reports; a branch-bound tenant only changes what its own branch sees).

    Three queries whatever the number of branches: the items with their modifiers
    are read once, and each branch's view is a copy of the item (sharing its
    prefetched modifiers) with that branch's setting applied as ``in_branch`` does.
    ``known``: items already as ``branch_id`` sees them (``seen_from``: an order's,
    read with its menu and their stop-list rows under their locks), not read again
    (nor their modifier groups: the caller has them); none read when every item is
    known."""
    if known:
        if branch_id is None:
            raise ValueError("known views are one branch's")
        rest = [pk for pk in item_ids if pk not in known]
        views = menu_item_views(tenant=tenant, item_ids=rest, branch_id=branch_id) if rest else []
        views += [(branch_id, known[pk]) for pk in dict.fromkeys(item_ids) if pk in known]
        return sorted(views, key=lambda view: view[1].pk)
    items = list(
        tenant.scope(MenuItem).filter(pk__in=item_ids).prefetch_related("modifier_groups__modifiers").order_by("pk")
    )
    branches = [branch_id] if branch_id else list(tenant.branches().order_by("pk").values_list("pk", flat=True))
    shared = [item.pk for item in items if item.branch_id is None]
    here = tenant.scope(MenuItemBranch).filter(menu_item__in=shared)
    if branch_id:
        here = here.filter(branch=branch_id)
    by_branch = {(setting.menu_item_id, setting.branch_id): setting for setting in here} if shared else {}
    return [
        (branch, seen_from(item, by_branch.get((item.pk, branch))))
        for branch in branches
        for item in items
        if item.branch_id in (None, branch)
    ]


def seen_from(item: MenuItem, setting: MenuItemBranch | None) -> MenuItem:
    """``item`` as ``in_branch`` annotates it for a branch whose setting is ``setting``
    (a copy, sharing its prefetched modifier groups)."""
    view = copy.copy(item)
    if item.branch_id is None:
        view.station_here = setting.station_id if setting else None  # type: ignore[attr-defined]
        view.available_here = item.is_available and (setting.is_available if setting else True)  # type: ignore[attr-defined]
        view.remaining_here = setting.remaining if setting else None  # type: ignore[attr-defined]
    else:
        view.station_here, view.available_here, view.remaining_here = (  # type: ignore[attr-defined]
            item.station_id,
            item.is_available,
            item.remaining,
        )
    return view
