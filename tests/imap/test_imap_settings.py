"""A mailbox on another machine is read over TLS: its password and the reports never cross the
network in clear unless the settings say so in so many words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.schema import Settings


def box(**values) -> dict:
    return {"name": "secretary", "address": "shuji@jiwei.example", "username": "shuji",
            "password_env": "SECRETARY_PW", **values}


def test_plain_imap_to_another_machine_is_refused_naming_the_key():
    with pytest.raises(ValidationError, match="allow_plaintext"):
        Settings.model_validate({"mailbox": [box(host="imap.jiwei.example", tls="none")]})


@pytest.mark.parametrize("values", [{"host": "imap.jiwei.example"}, {"host": "imap.jiwei.example", "tls": "starttls"},
                                    {"host": "127.0.0.1", "tls": "none"},
                                    {"host": "imap.jiwei.example", "tls": "none", "allow_plaintext": True}])
def test_tls_loopback_or_an_explicit_choice_is_accepted(values):
    Settings.model_validate({"mailbox": [box(**values)]})
