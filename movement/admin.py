from django.contrib import admin

from movement.models import AuditEvent, Invitation, Membership, Movement, Notification, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "is_active", "is_staff"]
    search_fields = ["email", "display_name"]
    exclude = ["password", "user_permissions", "groups"]


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "movement", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user", "movement"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["movement", "role", "expires_at", "single_use", "use_count", "revoked_at"]
    exclude = ["token"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "movement", "actor", "verb", "target"]
    list_filter = ["verb"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "sent_at", "attempts"]
