"""Keeping the reporter hidden in what a case shows: a real-name report names its writer and how
to reach him in its own words. Until an account allowed to reveal the reporter does so (with a
reason, audited), the console shows the case's texts with the reporter's contact details (phone,
e-mail, ID number), his name as the sender gave it and the name he signs or introduces himself
with replaced by a mark. Officials named in the report stay: they are what the case is about."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from markupsafe import Markup

CONTACT_LABELS = {"PHONE", "EMAIL", "ID_NUMBER"}
MARK = {"zh": "［已隐去］", "en": "[hidden]"}
# The name a reporter gives himself: 我叫张三, 实名举报人：张三, 本人王建国, 署名 李四 ...
SELF_NAMED = re.compile(r"(?:实名举报人|举报人|反映人|联系人|姓名|署名|我叫|我是|我的名字是|本人(?:名叫|姓名|是)?)"
                        r"[:：\s]*(?P<name>[\u4e00-\u9fff]{2,3})(?=[,，。、;；\s:：(（]|电话|手机|身份证|$)")
ENGLISH_NAME = re.compile(r"(?i)\b(?:my name is|i am|name:|signed:?)\s+(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Ways to reach or identify a person the entity list may have missed: mobile and fixed-line
# numbers, identity card numbers. (Sums of money are not touched: 5000000元 is no phone.)
CONTACT = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{17}[\dXx])(?![\dXx])")


def secrets_of(texts: Iterable[str], entities: Sequence[dict], reporter_name: str | None,
               reporter_address: str | None) -> set[str]:
    """What must not be shown: strings found in TEXTS or known of the reporter."""
    found = {e.get("text", "") for e in entities if e.get("label") in CONTACT_LABELS}
    for text in texts:
        found |= {m.group("name") for m in SELF_NAMED.finditer(text or "")}
        found |= {m.group("name") for m in ENGLISH_NAME.finditer(text or "")}
        found |= set(EMAIL.findall(text or ""))
        found |= set(CONTACT.findall(text or ""))
    for value in (reporter_name, reporter_address):
        if value:
            found.add(value)
    if reporter_address and "@" in reporter_address:
        found.add(reporter_address.split("@", 1)[0])
    return {s for s in found if len(s.strip()) >= 2}


def hidden(text: str | None, secrets: set[str], language: str) -> str:
    """TEXT with every one of SECRETS replaced by the mark (longest first, so a name inside an
    address does not leave the rest of the address)."""
    if not text or not secrets:
        return text or ""
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    return pattern.sub(MARK.get(language, MARK["zh"]), text)


def shown_entities(entities: Sequence[dict], secrets: set[str]) -> list[dict]:
    return [e for e in entities if e.get("label") not in CONTACT_LABELS and e.get("text") not in secrets]


def marked(text: str, entities: Sequence[dict]) -> Markup:
    """TEXT escaped, with each entity's words (those still shown) in a <mark> naming its label."""
    spans = sorted({(e.get("text") or "", e.get("label") or "") for e in entities if len(e.get("text") or "") >= 2},
                   key=lambda pair: len(pair[0]), reverse=True)
    if not spans:
        return Markup.escape(text)
    labels = dict(spans)
    pattern = re.compile("|".join(re.escape(words) for words, _ in spans))
    out, last = [], 0
    for found in pattern.finditer(text):
        out.append(Markup.escape(text[last:found.start()]))
        out.append(Markup('<mark class="{}">{}</mark>').format(labels[found.group()].lower(), found.group()))
        last = found.end()
    out.append(Markup.escape(text[last:]))
    return Markup("").join(out)
