"""An email's raw bytes as a `Submission`: the MIME library decodes them, and the language of
what it read is told here."""

from __future__ import annotations

from dataclasses import fields

from classifier.language import detect_language
from intake.mime.parse import Decoded, decode_message
from intake.submission import Submission

__all__ = ["Submission", "parse_message"]


def parse_message(raw: bytes, *, default_language: str = "zh") -> Submission:
    """Parse raw message bytes; never raises, and returns what could be read plus its defects."""
    decoded = decode_message(raw)
    return as_submission(decoded, detect_language(f"{decoded.subject}\n{decoded.text}", default=default_language))


def as_submission(decoded: Decoded, language: str) -> Submission:
    return Submission(**{f.name: getattr(decoded, f.name) for f in fields(Decoded)}, language=language)
