"""What the monitoring of key areas sends the units: an early warning, a receipt, the problems
of a rejected notification, the receipt of a rectification report, and once, to a stranger, that
the address takes registered units' notifications only. In the office's language, by email,
threaded on the unit's message."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from config.schema import Settings
from responders.answers import day_words
from responders.outbox import queue_reply
from store.models import Outbox

KIND_WORDS = {
    "zh": {"engineering_award": "工程建设招标结果", "engineering_change": "工程变更", "land_deal": "土地出让",
           "livelihood_payout": "民生资金发放"},
    "en": {"engineering_award": "engineering award", "engineering_change": "engineering change order",
           "land_deal": "land deal", "livelihood_payout": "livelihood payout"},
}


def queue_to_unit(session: Session, settings: Settings, purpose: str, *, recipient: str, unit: str | None,
                  received: datetime, inbound_id: int, in_reply_to: str | None, kind: str | None = None,
                  **context) -> Outbox:
    office = settings.office
    language = office.default_language
    context = {"office_name": office.name, "office_name_en": office.name_en, "unit": unit or "",
               "received": day_words(received, language, office.timezone),
               "kind": KIND_WORDS[language].get(kind or "", kind or ""), **context}
    if "due_at" in context:
        context["due"] = day_words(context.pop("due_at"), language, office.timezone)
    return queue_reply(session, channel="email", purpose=purpose, recipient=recipient, language=language,
                       context=context, domain=settings.outbound.from_address.partition("@")[2],
                       inbound_id=inbound_id, in_reply_to=in_reply_to)
