"""SMS backends. settings.SMS["BACKEND"] names one:

- "logging" (the default, for demos and development): writes each message to the `jianyan.sms` logger
  and keeps it in `outbox` (a list the tests read);
- "http": posts to an SMS gateway. Settings: SMS["URL"] (the gateway's endpoint) and SMS["KEY"] (sent as
  `Authorization: Bearer <KEY>`). The request body is JSON `{"to": "<mobile>", "text": "<message>",
  "sign": "<SMS["SIGN"]>"}`; any 2xx answer counts as sent, anything else (or a timeout after
  SMS["TIMEOUT"] seconds, default 10) raises SmsError. Most Chinese gateways (阿里云、腾讯云 SMS
  through a small relay, or a government SMS platform) can be fronted by such a relay.
Environment: SMS_BACKEND, SMS_GATEWAY_URL, SMS_GATEWAY_KEY, SMS_SIGN."""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger("jianyan.sms")
outbox: list[dict] = []


class SmsError(Exception):
    pass


def config() -> dict:
    return {"BACKEND": "logging", "URL": "", "KEY": "", "SIGN": "建言", "TIMEOUT": 10, **getattr(settings, "SMS", {})}


def send_sms(phone: str, text: str) -> None:
    conf = config()
    if conf["BACKEND"] == "http":
        send_http(conf, phone, text)
    else:
        outbox.append({"to": phone, "text": text})
        logger.info("短信 → %s：%s", phone, text)


def send_http(conf: dict, phone: str, text: str) -> None:
    if not conf["URL"].startswith(("https://", "http://")):  # never file: or other schemes
        raise SmsError("未配置短信网关地址（SMS_GATEWAY_URL，须为 http(s) 地址）")
    body = json.dumps({"to": phone, "text": text, "sign": conf["SIGN"]}, ensure_ascii=False).encode()
    request = urllib.request.Request(conf["URL"], data=body, method="POST", headers={  # noqa: S310 (scheme checked)
        "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {conf['KEY']}"})
    try:
        with urllib.request.urlopen(request, timeout=float(conf["TIMEOUT"])) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as err:
        raise SmsError(f"短信网关返回 {err.code}") from err
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise SmsError(f"短信网关不可达：{err}") from err
    if not 200 <= status < 300:
        raise SmsError(f"短信网关返回 {status}")
