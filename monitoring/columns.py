"""The notification types units send and their columns: what each holds, whether it must be
there, its type and range. `bot.py unit template TYPE` prints a type's header and example row."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str                          # text, int, money, date, choice, id_number
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: int | None = None         # int and money: the smallest value allowed
    example: str = ""
    meaning: str = ""


def text(name: str, example: str, meaning: str, required: bool = True) -> Column:
    return Column(name, "text", required, example=example, meaning=meaning)


def money(name: str, example: str, meaning: str, required: bool = True) -> Column:
    return Column(name, "money", required, minimum=0, example=example, meaning=meaning)


def date(name: str, example: str, meaning: str) -> Column:
    return Column(name, "date", example=example, meaning=meaning)


def count(name: str, example: str, meaning: str, minimum: int = 0) -> Column:
    return Column(name, "int", minimum=minimum, example=example, meaning=meaning)


def choice(name: str, choices: tuple[str, ...], example: str, meaning: str) -> Column:
    return Column(name, "choice", choices=choices, example=example, meaning=meaning)


TYPES: dict[str, tuple[Column, ...]] = {
    "engineering_award": (
        text("project_id", "GC-2026-017", "the project's number in the unit's register"),
        text("project_name", "城关镇道路改造工程", "the project's name"),
        text("procuring_unit", "县交通运输局", "the unit that procures"),
        choice("procurement_method", ("open", "invited", "competitive", "single_source"), "open",
               "open tender, invited tender, competitive negotiation, single source"),
        money("budget_yuan", "3800000", "the budget (control price), yuan"),
        money("winning_bid_yuan", "3650000", "the winning bid, yuan"),
        count("bidder_count", "5", "how many bids were received", minimum=1),
        text("winner", "某某建设有限公司", "the winning bidder"),
        count("tender_days", "21", "days from the tender notice to the bid deadline"),
        date("award_date", "2026-11-20", "the award date"),
    ),
    "engineering_change": (
        text("project_id", "GC-2026-017", "the project's number, as in its award"),
        money("contract_yuan", "3650000", "the contract sum before the change, yuan"),
        Column("change_yuan", "money", minimum=None, example="120000",
               meaning="the change's amount, yuan (negative for a reduction)"),
        text("change_reason", "地质条件变化增加挡土墙", "why"),
        text("approved_by", "局党组会议", "who approved it"),
        date("change_date", "2026-12-01", "the change's date"),
    ),
    "land_deal": (
        text("parcel_id", "2026-NY-05", "the parcel's number"),
        text("location", "城东新区纬二路北侧", "where it is"),
        Column("area_sqm", "money", minimum=1, example="12500", meaning="its area, square metres"),
        choice("method", ("auction", "tender", "listing", "agreement"), "listing",
               "auction, tender, listing, or by agreement"),
        money("appraised_yuan", "41000000", "the appraised value, yuan"),
        money("deal_yuan", "43500000", "the deal price, yuan"),
        count("bidder_count", "3", "how many bidders took part", minimum=1),
        text("buyer", "某某置业有限公司", "who bought it"),
        date("deal_date", "2026-11-28", "the deal's date"),
    ),
    "livelihood_payout": (
        text("program", "农村低保", "the programme"),
        text("recipient_name", "王某某", "the recipient"),
        Column("recipient_id_number", "id_number", example="110101199003074477",
               meaning="the recipient's resident identity number (GB 11643, check digit verified)"),
        money("amount_yuan", "680", "the amount paid, yuan"),
        text("village", "城关镇东关村", "the village or community"),
        date("payout_date", "2026-11-10", "the payout date"),
    ),
}

# Words in a subject that name a type, for a file whose columns do not settle it.
SUBJECT_WORDS = {
    "engineering_award": ("engineering_award", "中标", "招标结果", "工程招标"),
    "engineering_change": ("engineering_change", "变更", "签证"),
    "land_deal": ("land_deal", "土地", "出让", "矿业权"),
    "livelihood_payout": ("livelihood_payout", "发放", "民生资金", "低保", "补贴"),
}


def type_of(header: list[str], subject: str | None) -> str | None:
    """The type whose columns HEADER has (all required ones), else the one SUBJECT names, else
    the one most of whose columns HEADER has."""
    present = set(header)
    by_columns = [t for t, columns in TYPES.items() if {c.name for c in columns if c.required} <= present]
    if len(by_columns) == 1:
        return by_columns[0]
    subject = (subject or "").lower()
    named = [t for t, words in SUBJECT_WORDS.items() if any(w in subject for w in words)]
    candidates = [t for t in named if not by_columns or t in by_columns]
    if len(candidates) == 1:
        return candidates[0]
    if by_columns:
        return None
    # A column missing: the type most of whose columns are there (validation then names the rest).
    overlap = {t: len(present & {c.name for c in columns}) / len(columns) for t, columns in TYPES.items()}
    best = max(overlap.values())
    likely = [t for t, share in overlap.items() if share == best and share >= 0.5]
    return likely[0] if len(likely) == 1 else None


def template(kind: str) -> str:
    """A CSV header and one example row of KIND."""
    columns = TYPES[kind]
    return ",".join(c.name for c in columns) + "\r\n" + ",".join(c.example for c in columns) + "\r\n"
