"""Switching Telegram on without a token stops start-up with one line; the texts exist in both languages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from responders.render import PURPOSES, render
from responders.telegram_texts import chat_text, names
from tests.conftest import ROOT


def test_enabled_without_a_token_exits_2_with_one_line(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "INTAKE_TELEGRAM_TOKEN"}
    env |= {"INTAKE_TELEGRAM__ENABLED": "true", "INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'intake.db'}",
            "INTAKE_STORE__DATA_DIR": str(tmp_path / "data"), "INTAKE_SMTP__ENABLED": "false"}
    result = subprocess.run([sys.executable, "bot.py", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "INTAKE_TELEGRAM_TOKEN" in lines[0] and "telegram.enabled" in lines[0]
    assert not (tmp_path / "intake.db").exists(), "nothing is started before the configuration is whole"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_chat_text_exists_in_both_languages(language):
    context = {"office_name": "纪委", "office_name_en": "CDI", "unknown": True, "files": 1, "case_number": "JB-1",
               "status": "x", "received": "x", "updated": "x", "example": "JB-2026-000123", "size_mb": "25.0",
               "limit_mb": 20, "email": "jubao@jiwei.example"}
    for name in sorted(names()):
        assert chat_text(name, language, **context).strip(), name


@pytest.mark.parametrize("language", ["zh", "en"])
def test_answers_sent_to_telegram_speak_of_commands_not_of_replying_by_email(language):
    context = {"case_number": "JB-2026-000001", "office_name": "纪委", "office_name_en": "CDI",
               "received": "x", "real_name": True, "acceptance_due": "x", "query_code": "CODE", "items": 1,
               "status": "x", "outcome": "x", "acceptance_days": 15, "reason": "x", "unit": "x", "forwarded": False}
    for purpose in PURPOSES:
        subject, body = render(purpose, language, context, channel="telegram")
        assert "JB-2026-000001" in subject
        assert "邮件" not in body and "email" not in body.lower(), purpose
