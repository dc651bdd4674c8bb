"""Typed settings: one model per section of settings.toml, every field with a working default."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(Section):
    url: str = "sqlite:///data/intake.db"
    data_dir: Path = Path("data")
    audit_key_file: Path = Path("keys/audit.key")   # Ed25519 key signing the audit log; made on first use
    # The keys that seal what is stored; None: keys/store.key beside data_dir. Made on first use.
    key_file: Path | None = None

    @field_validator("audit_key_file")
    @classmethod
    def _outside_data_dir(cls, value: Path, info) -> Path:
        # Whoever can change the data folder must not also hold the key that vouches for it.
        data_dir = info.data.get("data_dir")
        if data_dir is not None and value.resolve().is_relative_to(Path(data_dir).resolve()):
            raise ValueError(f"must be outside data_dir ({data_dir})")
        return value


class SmtpSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(2525, ge=0, le=65535)
    hostname: str = "intake.jiwei.example"
    accept_for: list[str] = ["jubao@jiwei.example", "lianzheng@jiwei.example"]
    max_message_bytes: int = Field(25 * 1024 * 1024, gt=0)
    max_recipients: int = Field(20, gt=0)
    max_connections: int = Field(200, gt=0)
    max_connections_per_client: int = Field(10, gt=0)
    max_messages_per_client_per_minute: int = Field(600, gt=0)
    timeout_seconds: float = Field(60.0, gt=0)
    max_commands_per_session: int = Field(500, gt=0)
    max_session_seconds: float = Field(1800.0, gt=0)
    max_data_bytes_in_flight: int = Field(256 * 1024 * 1024, gt=0)
    # Whose mail the bot believes without a signature: clients in these networks (the office's
    # own relays), and servers whose Authentication-Results it reads (their authserv-id).
    trusted_networks: list[str] = ["127.0.0.0/8", "::1/128"]
    trusted_authserv_ids: list[str] = []
    tls_cert_file: str = ""
    tls_key_file: str = ""

    @field_validator("trusted_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"not a network: {network!r}") from None
        return value

    @field_validator("accept_for")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not _ADDRESS.match(address):
                raise ValueError(f"not an email address: {address!r}")
        return [a.lower() for a in value]

    @field_validator("max_data_bytes_in_flight")
    @classmethod
    def _room_for_one_message(cls, value: int, info) -> int:
        largest = info.data.get("max_message_bytes")
        if largest is not None and value < largest:
            raise ValueError(f"must be at least max_message_bytes ({largest}), or no message that large gets in")
        return value


class OutboundSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(2526, ge=0, le=65535)
    starttls: bool = False
    implicit_tls: bool = False
    # Answers name a case and carry its query code: off loopback they travel only over TLS,
    # unless this says a plaintext relay is meant (a relay on a trusted segment, say).
    allow_plaintext: bool = Field(False, validate_default=True)
    username: str = ""
    password_env: str = "INTAKE_OUTBOUND_PASSWORD"
    from_address: str = "jubao@jiwei.example"
    timeout_seconds: float = Field(30.0, gt=0)
    max_attempts: int = Field(8, gt=0)
    retry_base_seconds: float = Field(30.0, gt=0)

    @field_validator("allow_plaintext")
    @classmethod
    def _tls_off_loopback(cls, value: bool, info) -> bool:
        host = info.data.get("host")
        starttls, implicit = info.data.get("starttls"), info.data.get("implicit_tls")
        if starttls and implicit:
            raise ValueError("starttls and implicit_tls exclude each other; set one of them")
        if host is not None and not value and not (starttls or implicit) and not cls.is_loopback(host):
            raise ValueError(f"relay {host} is not on loopback: set starttls or implicit_tls, "
                             "or allow_plaintext = true to send answers unencrypted")
        return value

    @staticmethod
    def is_loopback(host: str) -> bool:
        """HOST names this machine: localhost, 127.0.0.0/8 or ::1 (a name is not looked up)."""
        name = host.lower().rstrip(".")
        if name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(name.strip("[]")).is_loopback
        except ValueError:
            return False

    @field_validator("from_address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _ADDRESS.match(value):
            raise ValueError(f"not an email address: {value!r}")
        return value


class MailboxSettings(Section):
    name: str
    address: str
    host: str = "127.0.0.1"
    port: int = Field(993, ge=0, le=65535)
    tls: Literal["implicit", "starttls", "none"] = "implicit"
    username: str
    password_env: str
    folder: str = "INBOX"
    after: str = "flag"
    poll_seconds: float = Field(60.0, gt=0)
    batch_size: int = Field(50, gt=0)
    idle: bool = True
    # tls = "none" sends the password and the reports in clear: only on loopback, unless said so.
    allow_plaintext: bool = Field(False, validate_default=True)

    @field_validator("allow_plaintext")
    @classmethod
    def _tls_off_loopback(cls, value: bool, info) -> bool:
        host = info.data.get("host")
        if info.data.get("tls") == "none" and host is not None and not value \
                and not OutboundSettings.is_loopback(host):
            raise ValueError(f"mailbox server {host} is not on loopback: use tls \"implicit\" or \"starttls\", "
                             "or allow_plaintext = true to read it unencrypted")
        return value

    @field_validator("after")
    @classmethod
    def _after(cls, value: str) -> str:
        if value != "flag" and not (value.startswith("move:") and len(value) > 5):
            raise ValueError('must be "flag" or "move:FOLDER"')
        return value


class TelegramSettings(Section):
    enabled: bool = False
    token_env: str = "INTAKE_TELEGRAM_TOKEN"
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_timeout_seconds: int = Field(30, ge=0)
    messages_per_minute: int = Field(20, gt=0)


class ClassifierSettings(Section):
    model_dir: Path = Path("data/model")


class OfficeSettings(Section):
    name: str = "市纪委监委信访室"
    name_en: str = "Petition Office of the Municipal Commission for Discipline Inspection"
    case_prefix: str = Field("JB", pattern=r"^[A-Z]{1,6}$")
    default_language: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    holidays: list[date] = []       # extra days off, beyond the official calendar
    workdays: list[date] = []       # extra make-up working days
    # Where the daily digest of deadlines goes; empty: no digest.
    staff_address: str = ""

    @field_validator("staff_address")
    @classmethod
    def _staff_address(cls, value: str) -> str:
        if value and not _ADDRESS.match(value):
            raise ValueError(f"not an email address: {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone: {value!r}") from None
        return value


class ConsoleSettings(Section):
    """The staff console (console/): served by `bot.py run` and `bot.py console`."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    language: Literal["zh", "en"] = "zh"      # of the sign-in page; an account reads its own


class MonitoringSettings(Section):
    """Electronic monitoring of key areas (monitoring/): where units send, and each rule's threshold."""

    address: str = "jiance@jiwei.example"
    rectification_days: int = Field(10, ge=1)          # working days a unit has to report its rectification
    max_file_bytes: int = Field(20_000_000, gt=0)
    min_tender_days: int = Field(20, ge=0)              # a shorter tender period is a finding
    near_budget_share: float = Field(0.01, ge=0, lt=1)  # a winning bid within this share under budget
    tendering_threshold_yuan: int = Field(4_000_000, gt=0)
    splitting_window_days: int = Field(90, gt=0)
    winner_share: float = Field(0.5, gt=0, le=1)        # of a unit's award value over twelve months ...
    winner_min_awards: int = Field(5, ge=1)             # ... among at least this many awards
    change_share: float = Field(0.10, gt=0)             # change orders above this share of the contract
    below_appraisal_share: float = Field(0.10, gt=0, lt=1)
    ceilings_yuan: dict[str, int] = {}                  # programme -> the most one payout may be


class ProcedureSettings(Section):
    """The case procedure's clocks, in working days (the PRC rules for handling reports, 2020)."""

    acceptance_notice_days: int = Field(15, gt=0)   # a real-name reporter hears whether it is accepted
    routing_days: int = Field(5, gt=0)              # a report for another level is transferred or forwarded
    result_notice_days: int = Field(15, gt=0)       # from conclusion, a real-name reporter hears the result
    transfer_reply_days: int = Field(30, gt=0)      # a unit a report went to reports back
    investigation_days: int = Field(60, ge=0)       # the office's own target from acceptance; 0: none
    # The scheduler: how often it looks, and when the day's digest goes to [office] staff_address.
    check_seconds: float = Field(60.0, gt=0)
    digest_hour: int = Field(8, ge=0, le=23)        # local hour of a working day from which it goes
    digest_within_days: int = Field(3, gt=0)        # working days ahead the digest looks


class PipelineSettings(Section):
    workers: int = Field(4, gt=0)   # batches of claim_batch messages in flight at once
    processes: int = Field(2, ge=0)   # worker processes that run messages through; 0: threads
    max_attempts: int = Field(3, gt=0)
    lease_seconds: float = Field(300.0, gt=0)
    idle_poll_seconds: float = Field(0.5, gt=0)
    claim_batch: int = Field(8, gt=0, le=100)   # messages claimed at once, handed over together
    # After a claim that found fewer than claim_batch, the next waits this long: messages arriving
    # in a stream are then taken a batch at a time, at a fraction of the cost each. 0: no pause.
    batch_pause_seconds: float = Field(0.2, ge=0, le=5)
    # Unfiled messages beyond which the listeners take no more for now (SMTP 451); 0: no limit.
    max_backlog: int = Field(50_000, ge=0)
    replies_per_sender_per_day: int = Field(10, ge=0)
    replies_per_hour: int = Field(300, ge=0)   # automatic answers in all: a flood of them stops here
    # automatic answers to what came from one source (store.turns: a client network, a mailbox, a
    # chat): a flood from one place cannot spend all the hour's answers that others are owed
    replies_per_source_per_hour: int = Field(150, ge=0)


class AuthenticitySettings(Section):
    dkim: bool = True                # verify DKIM signatures of incoming mail (needs DNS)
    spf: bool = True                 # check SPF of mail received straight from its client (needs DNS)
    dns_timeout_seconds: float = Field(3.0, gt=0)


class Settings(Section):
    store: StoreSettings = StoreSettings()
    smtp: SmtpSettings = SmtpSettings()
    outbound: OutboundSettings = OutboundSettings()
    mailbox: list[MailboxSettings] = []
    telegram: TelegramSettings = TelegramSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    office: OfficeSettings = OfficeSettings()
    procedure: ProcedureSettings = ProcedureSettings()
    console: ConsoleSettings = ConsoleSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    pipeline: PipelineSettings = PipelineSettings()
    authenticity: AuthenticitySettings = AuthenticitySettings()

    def own_addresses(self) -> set[str]:
        """Every address the bot receives or sends as: mail from these is our own, never answered."""
        own = set(self.smtp.accept_for) | {self.outbound.from_address.lower(), self.monitoring.address.lower()}
        return own | {m.address.lower() for m in self.mailbox}
