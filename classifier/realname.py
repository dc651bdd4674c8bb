"""Whether the reporter identifies himself: a name AND a way to be reached (label guide).

"实名举报人：王建国，电话138…" is; "I am Wang" alone is not, nor is an anonymous report that
gives the phone number of the person accused.
"""

from __future__ import annotations

import re

from .entities import Entity

_SELF_NAMED = re.compile(
    r"实名|我叫|我的名字|本人(?:名叫|姓名|是)?[\u4e00-\u9fff]{2,3}[,，、 ]|举报人[:： ]|反映人[:： ]|联系人[:： ]|姓名[:： ]|署名"
    r"|my name is|my name:|name:|real name|i am [a-z]+ [a-z]+,|signed[:,]|i, [a-z]+ [a-z]+,"
)
_CONTACT = re.compile(r"住址|地址|家住|住在[\u4e00-\u9fff]{2,12}(?:村|组|号|栋|室)|微信号|qq|address|wechat id|live at")
_ANONYMOUS = re.compile(
    r"匿名|不留名|不敢留名|名字就不留|不愿透露|不方便透露|不具名|不署名|化名"
    r"|anonymous|won't give my name|will not give my name|not give my name|withhold my name|without my name|don't dare give my name|not sign"
)
_CONTACT_LABELS = {"PHONE", "EMAIL", "ID_NUMBER"}


def real_name(norm_text: str, entities: list[Entity]) -> bool:
    contacts = [entity for entity in entities if entity.label in _CONTACT_LABELS]
    has_contact = bool(contacts) or bool(_CONTACT.search(norm_text))
    if not has_contact:
        return False
    if _SELF_NAMED.search(norm_text):
        return not _ANONYMOUS.search(norm_text) or "实名" in norm_text or "real name" in norm_text
    # a signature: a name close before a phone number or e-mail near the end of the text
    tail = len(norm_text) - 300
    people = [entity for entity in entities if entity.label == "PERSON" and entity.start >= tail]
    for contact in contacts:
        if any(0 <= contact.start - person.end <= 40 for person in people) and not _ANONYMOUS.search(norm_text):
            return True
    return False
