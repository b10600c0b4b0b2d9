from django.contrib import admin

from rituals.models import Timer


@admin.register(Timer)
class TimerAdmin(admin.ModelAdmin):
    list_display = ["kind", "due_at", "fired_at", "attempts", "movement"]
    list_filter = ["kind"]
    readonly_fields = ["attempts", "last_error", "fired_at"]
