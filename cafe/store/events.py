"""The storeroom's event types (registered with ``realtime`` in ``CafeConfig.ready``)
and their builder. The stop-list that follows stock speaks through the menu's own
``menu_item_updated`` (``cafe.menu.events``)."""

from accounts.tenancy import Tenant
from cafe.shared.events import Stream
from cafe.store.models import StockLevel
from cafe.store.payloads import StockIngredientObject, StockLowData
from realtime.catalogue import event_type
from realtime.emit import PendingEvent, in_event_language

STOCK_LOW = event_type(
    "stock_low",
    {Stream.ORDERS, Stream.KITCHEN},
    StockLowData,
    "An ingredient's stock in a branch fell to its low threshold or below (sent once, when it crosses), "
    "or below zero where the branch allows negative stock.",
)
STORE_EVENTS = (STOCK_LOW,)


@in_event_language
def stock_low(tenant: Tenant, level: StockLevel, *, negative: bool) -> PendingEvent[StockLowData]:
    ingredient = level.ingredient
    data = StockLowData(
        ingredient=StockIngredientObject(id=str(ingredient.pk), name=ingredient.name, unit=ingredient.unit),
        on_hand=str(level.on_hand),
        low_threshold=None if level.low_threshold is None else str(level.low_threshold),
        negative=negative,
        company_id=str(tenant.company_id),
        branch_id=str(level.branch_id),
    )
    return PendingEvent(STOCK_LOW, level.branch_id, data)
