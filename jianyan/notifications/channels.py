"""The notification channels behind one interface. Every notification goes to the in-app inbox (the
Notification row); the user's Preference adds e-mail and SMS per event group, and e-mail may come as
one daily digest instead. Outside channels are slow and may fail, so they run in a background task
(`tasks.deliver_notifications`) and every attempt leaves a Delivery row."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from jianyan.notifications import sms
from jianyan.notifications.events import group_of
from jianyan.notifications.models import Delivery, Notification, Preference

logger = logging.getLogger("jianyan.notifications")
SUBJECT = "【建言】提案工作通知"


class Channel:
    """One way to reach a user: `address` finds where (empty: cannot reach), `deliver` sends or raises."""

    name = ""

    def address(self, user) -> str:
        raise NotImplementedError

    def deliver(self, address: str, subject: str, text: str) -> None:
        raise NotImplementedError


class InAppChannel(Channel):
    """The inbox: the Notification row is the message, so there is nothing more to send."""

    name = "inapp"

    def address(self, user) -> str:
        return str(user.pk)

    def deliver(self, address: str, subject: str, text: str) -> None:
        return None


class EmailChannel(Channel):
    name = Delivery.Channel.EMAIL

    def address(self, user) -> str:
        return user.email or ""

    def deliver(self, address: str, subject: str, text: str) -> None:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])


class SmsChannel(Channel):
    name = Delivery.Channel.SMS

    def address(self, user) -> str:
        profile = getattr(user, "profile", None)
        return (profile.phone if profile else "") or ""

    def deliver(self, address: str, subject: str, text: str) -> None:
        sms.send_sms(address, text)


CHANNELS: dict[str, Channel] = {c.name: c for c in (InAppChannel(), EmailChannel(), SmsChannel())}


def outside_channels(preference: Preference | None, kind: str, *, immediate: bool = True) -> list[str]:
    """The outside channels this notification goes to now (digested e-mail waits for the digest)."""
    if preference is None:
        return []
    group = group_of(kind)
    names = []
    if group in preference.email_events and not (immediate and preference.daily_digest):
        names.append(Delivery.Channel.EMAIL)
    if group in preference.sms_events:
        names.append(Delivery.Channel.SMS)
    return names


def send_through(channel_name: str, user, text: str, *, subject: str = SUBJECT, notification=None,
                 is_digest: bool = False) -> Delivery | None:
    """Send one message and record the attempt. Returns None when the notification already has its row for
    this channel (sent, failed, or being sent by an earlier run): it is never sent twice."""
    channel = CHANNELS[channel_name]
    address = channel.address(user)
    delivery = claim(channel_name, user, notification=notification, is_digest=is_digest,
                     status=Delivery.Status.SENDING if address else Delivery.Status.SKIPPED)
    if delivery is None or not address:
        return delivery
    try:
        channel.deliver(address, subject, text)
    except Exception as err:  # a channel's failure must not stop the others; it is recorded
        logger.warning("通知发送失败（%s → %s）：%s", channel_name, user.pk, err)
        delivery.status, delivery.error = Delivery.Status.FAILED, str(err)[:300]
    else:
        delivery.status = Delivery.Status.SENT
    delivery.save(update_fields=["status", "error"])
    return delivery


def claim(channel_name: str, user, *, notification, is_digest: bool, status: str) -> Delivery | None:
    """Write the delivery row before sending (it commits at once in the worker): a rerun of the task, or a
    second worker, then finds it. None if the notification already has one for this channel."""
    if notification is not None and notification.deliveries.filter(channel=channel_name).exists():
        return None  # the usual case of a rerun; the unique constraint settles a race between two workers
    try:
        with transaction.atomic():
            return Delivery.objects.create(user=user, notification=notification, channel=channel_name, status=status,
                                           is_digest=is_digest)
    except IntegrityError:
        return None


def needs_delivery(rows: list[Notification]) -> list[int]:
    """The ids of the new notifications that some outside channel must carry (one query)."""
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in={n.user_id for n in rows})}
    return [n.pk for n in rows if outside_channels(prefs.get(n.user_id), n.kind)]


def deliver(notification_ids: list[int]) -> list[Delivery]:
    """Send the given notifications through the outside channels their users chose."""
    done = []
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("user__profile")
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=rows.values("user_id"))}
    for n in rows:
        for name in outside_channels(prefs.get(n.user_id), n.kind):
            delivery = send_through(name, n.user, n.text, notification=n)
            if delivery is not None:  # None: an earlier run of the task has already taken this one
                done.append(delivery)
    return done


def send_digests(now=None) -> int:
    """One e-mail per user who chose the daily digest, with the notifications of their e-mail events since
    the last digest. Returns how many digests went out; running it again the same moment sends none."""
    now = now or timezone.now()
    sent = 0
    for pref in Preference.objects.filter(daily_digest=True).select_related("user__profile"):
        since = pref.last_digest_at or now - timezone.timedelta(days=1)
        rows = [n for n in Notification.objects.filter(user_id=pref.user_id, at__gt=since, at__lte=now)
                if group_of(n.kind) in pref.email_events]
        pref.last_digest_at = now
        pref.save(update_fields=["last_digest_at"])
        if not rows:
            continue
        lines = [f"{timezone.localtime(n.at):%m月%d日 %H:%M} {n.text}" for n in reversed(rows)]
        text = f"您有 {len(rows)} 条提案工作通知：\n\n" + "\n".join(lines)
        send_through(Delivery.Channel.EMAIL, pref.user, text, subject=f"【建言】每日通知汇总（{len(rows)}条）", is_digest=True)
        sent += 1
    return sent
