from django.contrib import admin

from circles.models import Circle, CircleMembership


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["name", "movement", "lens", "archived_at"]
    list_filter = ["lens"]
    search_fields = ["name"]


@admin.register(CircleMembership)
class CircleMembershipAdmin(admin.ModelAdmin):
    list_display = ["circle", "member", "is_convener"]
    raw_id_fields = ["circle", "member"]
