from django.contrib import admin

from cafe.models import Category, MenuItem, Order, OrderItem, Table


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
    list_display = ["id", "branch", "table", "guests", "status", "created_at"]
    list_filter = ["company", "branch", "status"]
    inlines = [OrderItemInline]


@admin.register(OrderItem)
class OrderItemAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "price", "quantity"]
