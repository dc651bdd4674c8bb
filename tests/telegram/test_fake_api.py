"""The stand-in Bot API refuses what the real one refuses, so a wrong call by the bot fails a test."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest


def call(api, method: str, token: str | None = None, **params) -> tuple[int, dict]:
    token = token or api.token
    data = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(f"{api.url}/bot{token}/{method}", data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_token_may_arrive_url_encoded(api):
    status, answer = call(api, "getMe", token=urllib.parse.quote(api.token, safe=""))
    assert status == 200 and answer["result"]["is_bot"] is True


@pytest.mark.parametrize("method, params, status, description", [
    ("getMe", {}, 401, "Unauthorized"),
    ("sendMessage", {"chat_id": "1"}, 400, "text is empty"),
    ("sendMessage", {"chat_id": "abc", "text": "hi"}, 400, "must be an Integer"),
    ("sendMessage", {"chat_id": "1", "text": "x" * 4097}, 400, "too long"),
    ("sendMessage", {"chat_id": "1", "text": "hi", "reply_markup": "{\"keyboard\": []}"}, 400, "keyboard"),
    ("sendMessage", {"chat_id": "1", "text": "hi", "parse_mod": "HTML"}, 400, "unexpected parameter"),
    ("sendMessage", {"chat_id": "1", "text": "hi"}, 400, "chat not found"),
    ("getFile", {}, 400, "file_id"),
    ("getFile", {"file_id": "nope"}, 400, "invalid file_id"),
    ("getUpdates", {"timeout": "soon"}, 400, "must be an Integer"),
    ("getUpdates", {"limit": "500"}, 400, "between 1 and 100"),
    ("getChat", {"chat_id": "1"}, 404, "Not Found"),
])
def test_wrong_calls_are_refused_in_telegrams_error_format(api, method, params, status, description):
    got, answer = call(api, method, token="1:wrong" if status == 401 else None, **params)
    assert got == status and answer["ok"] is False and answer["error_code"] == status
    assert description in answer["description"]


def test_get_updates_drops_what_the_offset_confirms(api):
    first, second = api.text(1, "一"), api.text(1, "二")
    _, answer = call(api, "getUpdates", timeout="0")
    assert [u["update_id"] for u in answer["result"]] == [first, second]
    _, answer = call(api, "getUpdates", offset=str(second), timeout="0")
    assert [u["update_id"] for u in answer["result"]] == [second]
    _, answer = call(api, "getUpdates", offset=str(second + 1), timeout="0")
    assert answer["result"] == [] and api.offsets == [None, second, second + 1]
