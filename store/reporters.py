"""Reporters: who reported, by channel address, kept apart from cases so that identity is shown
only on need."""

from __future__ import annotations

from sqlmodel import Session, select

from store.models import Reporter


def get(session: Session, reporter_id: int | None) -> Reporter | None:
    return session.get(Reporter, reporter_id) if reporter_id else None


def find_or_add(session: Session, channel: str, address: str, display_name: str | None, language: str) -> Reporter:
    reporter = session.exec(
        select(Reporter).where(Reporter.channel == channel, Reporter.address == address)
    ).one_or_none()
    if reporter is None:
        reporter = Reporter(channel=channel, address=address, display_name=display_name, language=language)
        session.add(reporter)
        session.flush()
    return reporter
