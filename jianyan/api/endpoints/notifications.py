"""The user's own notifications, newest first."""

from django.utils import timezone
from ninja import Query, Router

from jianyan.api.endpoints import responses
from jianyan.api.schemas import NotificationFilters, NotificationList, NotificationOut, ReadAllOut
from jianyan.core.errors import NotFound
from jianyan.notifications.models import Notification

router = Router(tags=["通知"])


def notification_out(n: Notification) -> dict:
    return {"id": n.pk, "at": timezone.localtime(n.at), "kind": n.kind, "text": n.text, "proposal": n.proposal_id,
            "read": n.read_at is not None}


@router.get("/notifications", response=responses({200: NotificationList}, 400, 401),
            operation_id="listNotifications", summary="我的通知")
def list_notifications(request, filters: Query[NotificationFilters]):
    mine = Notification.objects.filter(user=request.auth)
    qs = mine.order_by("-at", "-id")
    if filters.unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif filters.unread is False:
        qs = qs.filter(read_at__isnull=False)
    start = (filters.page - 1) * filters.page_size
    total = qs.count()
    page = qs[start:start + filters.page_size] if start < total else []
    return {"items": [notification_out(n) for n in page], "total": total,
            "unread": mine.filter(read_at__isnull=True).count(), "page": filters.page, "page_size": filters.page_size}


@router.post("/notifications/read-all", response=responses({200: ReadAllOut}, 401),
             operation_id="readAllNotifications", summary="全部标为已读")
def read_all(request):
    updated = Notification.objects.filter(user=request.auth, read_at__isnull=True).update(read_at=timezone.now())
    return {"updated": updated}


@router.post("/notifications/{id}/read", response=responses({200: NotificationOut}, 401, 404),
             operation_id="readNotification", summary="标为已读")
def read_notification(request, id: int):
    notification = Notification.objects.filter(user=request.auth, pk=id).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification_out(notification)
