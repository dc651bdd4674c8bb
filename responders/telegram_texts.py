"""What the Telegram bot says in the conversation itself (templates/telegram/chat/NAME.LANG.txt).

Answers that carry a case number or query code go through the outbox instead (responders/render.py).
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from responders.render import LANGUAGES, TEMPLATES

CHAT_TEMPLATES = TEMPLATES / "telegram" / "chat"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(CHAT_TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chat_text(name: str, language: str, **context) -> str:
    """The text NAME in LANGUAGE (Chinese when the language is not one we write)."""
    language = language if language in LANGUAGES else "zh"
    return _environment().get_template(f"{name}.{language}.txt").render(**context).strip()


def names() -> set[str]:
    """Every text the bot can say, for the test that each exists in every language."""
    return {path.name.split(".")[0] for path in CHAT_TEMPLATES.glob("*.txt")}
