"""The stand-in Bot API server, and settings that point the bot at it."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.telegram.fake_api import FakeBotApi


@pytest.fixture
def api():
    server = FakeBotApi().start()
    yield server
    server.stop()


def telegram_section(api: FakeBotApi, **overrides) -> dict:
    return {"enabled": True, "base_url": f"{api.url}/bot", "base_file_url": f"{api.url}/file/bot",
            "poll_timeout_seconds": 5, **overrides}


@pytest.fixture
def tg_settings(tmp_path, store_url, api, model_dir, monkeypatch):
    """Settings for a bot that has only its Telegram channel (and the pipeline) switched on."""
    monkeypatch.setenv("INTAKE_TELEGRAM_TOKEN", api.token)

    def build(**telegram):
        return make_settings(tmp_path, store_url, smtp={"enabled": False},
                             outbound={"enabled": False, "retry_base_seconds": 0.2},
                             telegram=telegram_section(api, **telegram))

    return build
