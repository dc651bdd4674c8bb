"""Reporters: who reported, by channel address, kept apart from cases so that identity is shown
only on need. Addresses are sealed; they are found by a keyed hash of the normalised address."""

from __future__ import annotations

from sqlmodel import Session, select

from store.models import Reporter
from store.sealed import keyring_of


def normalised(address: str) -> str:
    """One address however it is written: lower case, and for mail without a +tag (victim+1@ and
    victim@ are one mailbox, so one sender for every count and cap)."""
    address = address.strip().lower()
    local, at, domain = address.rpartition("@")
    if at and "+" in local:
        local = local.split("+", 1)[0]
    return f"{local}{at}{domain}" if at else address


def address_key(session: Session, channel: str, address: str) -> str:
    """The keyed hash that stands for ADDRESS in every look-up."""
    return keyring_of(session.get_bind().dialect).lookup(f"{channel}:{normalised(address)}")


def get(session: Session, reporter_id: int | None) -> Reporter | None:
    return session.get(Reporter, reporter_id) if reporter_id else None


def find_or_add(session: Session, channel: str, address: str, display_name: str | None, language: str) -> Reporter:
    key = address_key(session, channel, address)
    reporter = session.exec(
        select(Reporter).where(Reporter.channel == channel, Reporter.address_key == key)
    ).one_or_none()
    if reporter is None:
        reporter = Reporter(channel=channel, address=address, address_key=key, display_name=display_name,
                            language=language)
        session.add(reporter)
        session.flush()
    return reporter
