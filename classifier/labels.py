"""The label contract of DESIGN.md: the exact strings every tool downstream relies on."""

from __future__ import annotations

KINDS = ("report", "inquiry", "non_jurisdiction", "spam")
AREAS = ("engineering_construction", "land_mineral", "real_estate", "livelihood", "other")
VIOLATIONS = ("bribery", "embezzlement", "abuse_of_power", "work_style", "personnel", "other")
ENTITY_LABELS = ("PERSON", "TITLE", "ORG", "GPE", "MONEY", "DATE", "PHONE", "ID_NUMBER", "EMAIL", "PLATE")

# One text classifier per task. Their labels carry the task as a prefix because spaCy keeps the
# scores of all of them in one doc.cats dict, and "other" is both an area and a violation.
TASKS = {"kind": KINDS, "area": AREAS, "violation": VIOLATIONS}


def component_name(task: str) -> str:
    return f"textcat_{task}"


def cat_name(task: str, label: str) -> str:
    return f"{task}:{label}"
