"""The checks made of every notification, in one table: a code, the type it reads, what it looks
for. Each threshold is a [monitoring] setting; each finding names the rows of the file it is
about. Rules that compare with the past read the unit's earlier notifications from the store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from config.schema import MonitoringSettings
from store import monitoring as store
from store.models import MonitoredRecord

SHOWN_ROWS = 50         # a finding names at most this many rows, and says how many there were


@dataclass(frozen=True)
class Finding:
    rule: str
    rows: list[int]
    text: str
    more: int = 0        # rows beyond those named

    def as_dict(self) -> dict:
        return {"rule": self.rule, "rows": self.rows, "text": self.text, "more": self.more}


@dataclass
class Context:
    session: Session
    settings: MonitoringSettings
    unit_id: int
    notification_id: int
    rows: list[MonitoredRecord] = field(default_factory=list)   # this file's, typed columns only


def finding(rule: str, rows: list[int], text: str) -> list[Finding]:
    if not rows:
        return []
    rows = sorted(set(rows))
    return [Finding(rule, rows[:SHOWN_ROWS], text, max(len(rows) - SHOWN_ROWS, 0))]


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


# -- engineering awards --------------------------------------------------------------------------

def single_bidder(c: Context) -> list[Finding]:
    rows = [r.row for r in c.rows if r.method == "open" and r.bidders == 1]
    return finding("E01", rows, "only one bidder in an open tender")


def short_tender(c: Context) -> list[Finding]:
    rows = [r.row for r in c.rows if r.days is not None and r.days < c.settings.min_tender_days]
    return finding("E02", rows, f"tender period under {c.settings.min_tender_days} days")


def over_budget(c: Context) -> list[Finding]:
    rows = [r.row for r in c.rows if r.amount_fen is not None and r.base_fen is not None and r.amount_fen > r.base_fen]
    return finding("E03", rows, "winning bid above the budget")


def near_budget(c: Context) -> list[Finding]:
    share = c.settings.near_budget_share
    rows = [r.row for r in c.rows if r.amount_fen is not None and r.base_fen
            and r.base_fen * (1 - share) <= r.amount_fen <= r.base_fen]
    return finding("E04", rows, f"winning bid within {share:.0%} under the budget")


def splitting(c: Context) -> list[Finding]:
    """Several awards of one unit to one winner within the window, each under the tendering
    threshold and together over it: a contract split to stay under it."""
    limit = c.settings.tendering_threshold_yuan * 100
    window = timedelta(days=c.settings.splitting_window_days)
    mine = [r for r in c.rows if r.amount_fen is not None and r.amount_fen < limit]
    if not mine:
        return []
    history = store.unit_rows(c.session, c.unit_id, "engineering_award", min(r.day for r in mine) - window,
                              max(r.day for r in mine) + window)
    by_winner: dict[str, list[MonitoredRecord]] = defaultdict(list)
    for r in history:
        if r.amount_fen is not None and r.amount_fen < limit:
            by_winner[r.party_key].append(r)
    rows = []
    for r in mine:
        near = [o for o in by_winner[r.party_key] if abs((o.day - r.day).days) <= window.days]
        if len(near) >= 2 and sum(o.amount_fen for o in near) > limit:
            rows.append(r.row)
    return finding("E05", rows, f"awards to one winner within {window.days} days, each under "
                                f"{yuan(limit)} yuan and together over it (contract splitting)")


def dominant_winner(c: Context) -> list[Finding]:
    if not c.rows:
        return []
    last = max(r.day for r in c.rows)
    history = store.unit_rows(c.session, c.unit_id, "engineering_award", last - timedelta(days=365), last)
    if len(history) < c.settings.winner_min_awards:
        return []
    total = sum(r.amount_fen or 0 for r in history)
    by_winner: dict[str, int] = defaultdict(int)
    for r in history:
        by_winner[r.party_key] += r.amount_fen or 0
    big = {w for w, value in by_winner.items() if total and value > total * c.settings.winner_share}
    rows = [r.row for r in c.rows if r.party_key in big]
    return finding("E06", rows, f"one winner took more than {c.settings.winner_share:.0%} of the unit's award "
                                f"value over twelve months")


# -- change orders, land, payouts ----------------------------------------------------------------

def large_change(c: Context) -> list[Finding]:
    share = c.settings.change_share
    rows = [r.row for r in c.rows if r.base_fen and r.amount_fen is not None and abs(r.amount_fen) > r.base_fen * share]
    return finding("C01", rows, f"change order above {share:.0%} of the contract")


def land_by_agreement(c: Context) -> list[Finding]:
    return finding("L01", [r.row for r in c.rows if r.method == "agreement"], "land transferred by agreement")


def below_appraisal(c: Context) -> list[Finding]:
    share = c.settings.below_appraisal_share
    rows = [r.row for r in c.rows
            if r.base_fen and r.amount_fen is not None and r.amount_fen < r.base_fen * (1 - share)]
    return finding("L02", rows, f"deal price more than {share:.0%} below the appraisal")


def single_bidder_land(c: Context) -> list[Finding]:
    rows = [r.row for r in c.rows if r.method in ("auction", "listing") and r.bidders == 1]
    return finding("L03", rows, "a single bidder at auction or listing")


def repeated_payout(c: Context) -> list[Finding]:
    return finding("P01", store.repeated_payouts(c.session, c.notification_id),
                   "the same identity number paid twice in one programme and month")


def above_ceiling(c: Context) -> list[Finding]:
    ceilings = {program: limit * 100 for program, limit in c.settings.ceilings_yuan.items()}
    return finding("P02", store.payouts_above(c.session, c.notification_id, ceilings),
                   "a payout above the programme's ceiling")


def official_recipient(c: Context) -> list[Finding]:
    return finding("P03", store.paid_to_officials(c.session, c.notification_id),
                   "a recipient on the officials list")


Rule = Callable[[Context], list[Finding]]
RULES: dict[str, tuple[Rule, ...]] = {
    "engineering_award": (single_bidder, short_tender, over_budget, near_budget, splitting, dominant_winner),
    "engineering_change": (large_change,),
    "land_deal": (land_by_agreement, below_appraisal, single_bidder_land),
    "livelihood_payout": (repeated_payout, above_ceiling, official_recipient),
}
# Rules that need only the file's typed columns in memory; the payout rules ask the store.
IN_MEMORY = {"engineering_award", "engineering_change", "land_deal"}


def check(session: Session, settings: MonitoringSettings, kind: str, unit_id: int,
          notification_id: int) -> list[Finding]:
    """Every finding of the notification (its rows already in the store)."""
    context = Context(session, settings, unit_id, notification_id)
    if kind in IN_MEMORY:
        context.rows = store.rows_of(session, notification_id)
    return [f for rule in RULES[kind] for f in rule(context)]
