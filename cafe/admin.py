from django.contrib import admin

from cafe.models import (
    Category,
    KitchenTask,
    MenuItem,
    MenuItemBranch,
    Modifier,
    ModifierGroup,
    Order,
    OrderItem,
    OrderItemEdit,
    OrderItemModifier,
    PickupCounter,
    Station,
    Table,
)


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["number", "branch", "seats", "status"]
    list_filter = ["company", "branch", "status"]


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


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "branch", "service", "table", "pickup_number", "guests", "status", "created_at"]
    list_filter = ["company", "branch", "status"]
    inlines = [OrderItemInline]


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
