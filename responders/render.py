"""Rendering of answer templates (templates/PURPOSE.LANG.txt: a Subject line, a blank line, the body)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("zh", "en")
# Answers to reporters (each in templates/ and, for a chat, templates/telegram/).
PURPOSES = ("acknowledgement", "inquiry_answer", "referral", "follow_up", "acceptance", "not_accepted", "transferred",
            "outcome")
# Mail to the office's own staff: email only.
STAFF_PURPOSES = ("digest",)
# Mail to the units the monitoring of key areas hears from: email only.
UNIT_PURPOSES = ("warning", "receipt", "notification_rejected", "not_a_unit", "rectification_received")

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(purpose: str, language: str, context: dict, channel: str = "email") -> tuple[str, str]:
    """(subject, body) of PURPOSE in LANGUAGE (falling back to Chinese), in CHANNEL's own wording
    where templates/CHANNEL/ has it (a chat cannot be "replied to" like an email)."""
    if purpose not in PURPOSES + STAFF_PURPOSES + UNIT_PURPOSES:
        raise ValueError(f"no template for {purpose!r}")
    language = language if language in LANGUAGES else "zh"
    name = f"{purpose}.{language}.txt"
    if channel != "email" and (TEMPLATES / channel / name).is_file():
        name = f"{channel}/{name}"
    text = _environment.get_template(name).render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"template {name} does not start with a Subject line")
    return first[len("Subject: "):].strip(), body.lstrip("\n")
