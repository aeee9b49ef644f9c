"""The challenge of the public lead form, without any outside service: a small sum in Chinese words (the form
carries only a signed, keyed digest of its answer), a minimum time to fill the form in, a field only robots fill (honeypot),
and each challenge usable once."""

import random
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.crypto import constant_time_compare, salted_hmac

from jianyan.core.errors import InvalidInput

SALT = "jianyan.leads.challenge"
MIN_SECONDS = 3  # a person needs longer than this to read the form and write a lead
MAX_AGE = 2 * 3600
NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """0..99 in Chinese words: 7 -> 七, 12 -> 十二, 20 -> 二十."""
    if n <= 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


def parse_answer(text: str) -> int | None:
    """'8', '８' or '八' (up to 99); None if it is not a number."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    if text.isascii() and text.isdigit() and len(text) <= 3:
        return int(text)
    for n in range(100):
        if chinese_number(n) == text:
            return n
    return None


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def new_challenge(*, rng: random.Random | None = None, now: float | None = None) -> Challenge:
    rng = rng or random.SystemRandom()
    a, b = rng.randint(2, 9), rng.randint(1, 9)
    subtract = rng.random() < 0.5 and a > b
    question = f"{chinese_number(a)}{'减' if subtract else '加'}{chinese_number(b)}等于几？"
    nonce = rng.getrandbits(64)
    payload = {"h": answer_digest(nonce, a - b if subtract else a + b),
               "t": int(now if now is not None else time.time()), "n": nonce}
    return Challenge(question, signing.dumps(payload, salt=SALT, compress=True))


def answer_digest(nonce: int, answer: int) -> str:
    """The form carries only this keyed digest of the answer, so that the token does not give it away."""
    return salted_hmac(SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()[:20]


def check_challenge(*, token: str, answer: str, honeypot: str = "", now: float | None = None) -> None:
    """Raise InvalidInput (naming the field) unless the form was filled in by a person, once."""
    now = time.time() if now is None else now
    if honeypot:
        raise InvalidInput("提交未通过校验，请刷新页面后重试", code="challenge_failed")
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
        digest, nonce, issued = str(payload["h"]), int(payload["n"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidInput("验证题已过期，请回答新的验证题", code="challenge_expired",
                           fields={"answer": "验证题已过期，请回答新的验证题"})
    if now - issued < MIN_SECONDS:
        raise InvalidInput("提交过快，请稍后再提交", code="challenge_too_fast")
    given = parse_answer(answer)
    if given is None or not constant_time_compare(answer_digest(nonce, given), digest):
        raise InvalidInput("验证题答案不正确", code="challenge_wrong", fields={"answer": "答案不正确，请重新计算"})
    cache = caches[getattr(settings, "JIANYAN_RATE_LIMIT_CACHE", "default")]
    if not cache.add(f"jy-lead-challenge:{nonce}", 1, timeout=MAX_AGE):
        raise InvalidInput("该验证题已使用过，请回答新的验证题", code="challenge_used",
                           fields={"answer": "请回答新的验证题"})
