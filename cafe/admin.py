from django.contrib import admin

from cafe.bill.models import CashMovement, Payment, Refund, RefundLine, Shift
from cafe.bookings.models import Booking, BookingTable
from cafe.floor.models import OpeningException, OpeningHours, Table, Zone
from cafe.guests.models import Guest
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.orders.models import KitchenTask, Order, OrderItem, OrderItemEdit, OrderItemModifier, PickupCounter
from cafe.purchasing.models import StockDocument, StockDocumentLine, Supplier
from cafe.store.models import (
    Ingredient,
    ModifierEffect,
    Recipe,
    RecipeLine,
    StockLevel,
    StockMovement,
    StockSettings,
)
from cafe.timeclock.models import ClockBreak, ClockCorrection, ClockEntry


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["number", "branch", "seats", "status"]
    list_filter = ["company", "branch", "status"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "position", "width", "height"]
    list_filter = ["company", "branch"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["branch", "weekday", "opens", "closes"]
    list_filter = ["company", "branch"]


@admin.register(OpeningException)
class OpeningExceptionAdmin(admin.ModelAdmin):
    list_display = ["branch", "date", "opens", "closes", "note"]
    list_filter = ["company", "branch"]


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "company", "erased_at"]
    list_filter = ["company"]
    search_fields = ["name", "phone"]


class BookingTableInline(admin.TabularInline):
    model = BookingTable
    extra = 0


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["guest_name", "branch", "starts_at", "guests", "status"]
    list_filter = ["company", "branch", "status"]
    inlines = [BookingTableInline]


@admin.register(BookingTable)
class BookingTableAdmin(admin.ModelAdmin):
    list_display = ["booking", "table", "starts_at", "blocks_until", "holding"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "position"]
    list_filter = ["company"]


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "price", "branch", "is_available"]
    list_filter = ["company", "is_available"]
    search_fields = ["title"]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    readonly_fields = ["menu_item", "title", "price", "quantity"]


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = readonly_fields = ("method", "amount", "tip", "tendered", "change", "check_number", "shift", "user")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "branch", "service", "table", "pickup_number", "guests", "status", "created_at"]
    list_filter = ["company", "branch", "status", "service"]
    inlines = [OrderItemInline, PaymentInline]


@admin.register(OrderItem)
class OrderItemAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "price", "quantity"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "position"]
    list_filter = ["company", "branch"]


@admin.register(MenuItemBranch)
class MenuItemBranchAdmin(admin.ModelAdmin):
    list_display = ["menu_item", "branch", "station", "is_available", "remaining"]
    list_filter = ["company", "branch", "is_available"]


class ModifierInline(admin.TabularInline):
    model = Modifier
    extra = 0
    fields = ["name", "price", "position"]


@admin.register(ModifierGroup)
class ModifierGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "menu_item", "required", "max_choices"]
    list_filter = ["company"]
    inlines = [ModifierInline]


@admin.register(Modifier)
class ModifierAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "price"]
    list_filter = ["company"]


@admin.register(OrderItemModifier)
class OrderItemModifierAdmin(admin.ModelAdmin):
    list_display = ["group", "name", "price", "line"]
    list_filter = ["company"]


@admin.register(OrderItemEdit)
class OrderItemEditAdmin(admin.ModelAdmin):
    list_display = ["line", "user", "quantity_before", "quantity_after", "voided", "reason", "created_at"]
    list_filter = ["company", "voided"]


@admin.register(KitchenTask)
class KitchenTaskAdmin(admin.ModelAdmin):
    list_display = ["line", "portion", "station", "status", "cook", "created_at", "ready_at"]
    list_filter = ["company", "branch", "status"]


# Takeaway pickup numbers (cafe.services.takeaway).


@admin.register(PickupCounter)
class PickupCounterAdmin(admin.ModelAdmin):
    list_display = ["branch", "day", "last"]
    list_filter = ["company", "branch"]


# The till (cafe.services.billing, cafe.services.till): read in the admin; money moves through the API.


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["order", "branch", "method", "amount", "tip", "change", "created_at"]
    list_filter = ["company", "branch", "method"]


class RefundLineInline(admin.TabularInline):
    model = RefundLine
    extra = 0
    fields = ["line", "quantity", "amount"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["order", "branch", "method", "amount", "reason", "created_at"]
    list_filter = ["company", "branch", "method"]
    inlines = [RefundLineInline]


@admin.register(RefundLine)
class RefundLineAdmin(admin.ModelAdmin):
    list_display = ["refund", "line", "quantity", "amount"]


class CashMovementInline(admin.TabularInline):
    model = CashMovement
    extra = 0
    fields = readonly_fields = ("kind", "amount", "reason", "user")


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["branch", "opened_at", "opening_float", "closed_at", "expected_cash", "counted_cash", "difference"]
    list_filter = ["company", "branch"]
    inlines = [CashMovementInline]


@admin.register(CashMovement)
class CashMovementAdmin(admin.ModelAdmin):
    list_display = ["shift", "kind", "amount", "reason", "created_at"]
    list_filter = ["company", "branch", "kind"]


class ClockBreakInline(admin.TabularInline):
    model = ClockBreak
    extra = 0


@admin.register(ClockEntry)
class ClockEntryAdmin(admin.ModelAdmin):
    list_display = ["employee", "branch", "started_at", "ended_at"]
    list_filter = ["company", "branch"]
    inlines = [ClockBreakInline]


@admin.register(ClockBreak)
class ClockBreakAdmin(admin.ModelAdmin):
    list_display = ["entry", "started_at", "ended_at"]


@admin.register(ClockCorrection)
class ClockCorrectionAdmin(admin.ModelAdmin):
    list_display = ["entry", "corrected_by", "reason", "created_at"]
    list_filter = ["company"]


# The storeroom's documents (cafe.purchasing): posted ones change only through the API.


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "company"]
    list_filter = ["company"]


class StockDocumentLineInline(admin.TabularInline):
    model = StockDocumentLine
    extra = 0


@admin.register(StockDocument)
class StockDocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "branch", "date", "status", "supplier", "to_branch", "posted_at"]
    list_filter = ["company", "kind", "status"]
    inlines = [StockDocumentLineInline]


@admin.register(StockDocumentLine)
class StockDocumentLineAdmin(admin.ModelAdmin):
    list_display = ["document", "ingredient", "quantity", "unit", "price", "variance"]
    list_filter = ["company"]


# The storeroom (cafe.store): a level's figures and the ledger change only by posting
# (cafe.store.posting.stock_post), so here they are shown, never edited.


@admin.register(Ingredient)
class IngredientAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "kind", "made_to_order", "company"]
    list_filter = ["company", "kind"]
    search_fields = ["name"]


class RecipeLineInline(admin.TabularInline):
    model = RecipeLine
    extra = 0


@admin.register(Recipe)
class RecipeAdmin(admin.ModelAdmin):
    list_display = ["menu_item", "semi_finished", "branch", "company"]
    list_filter = ["company"]
    inlines = [RecipeLineInline]


@admin.register(RecipeLine)
class RecipeLineAdmin(admin.ModelAdmin):
    list_display = ["recipe", "ingredient", "quantity", "unit"]
    list_filter = ["company"]


@admin.register(ModifierEffect)
class ModifierEffectAdmin(admin.ModelAdmin):
    list_display = ["modifier", "action", "ingredient", "quantity", "unit"]
    list_filter = ["company", "action"]


@admin.register(StockSettings)
class StockSettingsAdmin(admin.ModelAdmin):
    list_display = ["branch", "allow_negative"]
    list_filter = ["company"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ["ingredient", "branch", "on_hand", "avg_cost", "low_threshold"]
    list_filter = ["company", "branch"]
    readonly_fields = ["on_hand", "avg_cost"]


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ["created_at", "branch", "ingredient", "kind", "quantity", "unit_cost", "on_hand_after"]
    list_filter = ["company", "branch", "kind"]
    readonly_fields = ["quantity", "unit_cost", "on_hand_after"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
