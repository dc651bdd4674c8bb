"""A stand-in for the Telegram Bot API on loopback: the methods the bot uses, checked the way the
Bot API documents them (required fields, types, limits), with Telegram's error format for the rest.

Tests play the citizens: they queue updates (text, photos, documents…) for getUpdates, serve the
files behind getFile, and read what the bot sent with sendMessage.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

DOWNLOAD_LIMIT = 20 * 1024 * 1024
TEXT_LIMIT = 4096


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


# -- parameter types, as the Bot API documents them ------------------------------------------------

def _integer(value, name):
    if isinstance(value, bool):
        raise ApiError(400, f"Bad Request: field \"{name}\" must be an Integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise ApiError(400, f"Bad Request: field \"{name}\" must be an Integer")


def _string(value, name):
    if not isinstance(value, str):
        raise ApiError(400, f"Bad Request: field \"{name}\" must be a String")
    return value


def _boolean(value, name):
    if isinstance(value, bool):
        return value
    if value in ("true", "false", "True", "False", "1", "0"):
        return value in ("true", "True", "1")
    raise ApiError(400, f"Bad Request: field \"{name}\" must be a Boolean")


def _chat_id(value, name):
    if isinstance(value, str) and value.startswith("@") and len(value) > 1:
        return value
    return _integer(value, name)


def _json(kind):
    def check(value, name):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        if not isinstance(value, kind):
            raise ApiError(400, f"Bad Request: field \"{name}\" must be of type {kind.__name__}")
        return value
    return check


_object, _array = _json(dict), _json(list)


def _strings(value, name):
    items = _array(value, name)
    if not all(isinstance(item, str) for item in items):
        raise ApiError(400, f"Bad Request: field \"{name}\" must be an Array of String")
    return items


REQUIRED, OPTIONAL = True, False
METHODS: dict[str, dict[str, tuple]] = {
    "getMe": {},
    "deleteWebhook": {"drop_pending_updates": (_boolean, OPTIONAL)},
    "getUpdates": {"offset": (_integer, OPTIONAL), "limit": (_integer, OPTIONAL), "timeout": (_integer, OPTIONAL),
                   "allowed_updates": (_strings, OPTIONAL)},
    "sendMessage": {
        "chat_id": (_chat_id, REQUIRED), "text": (_string, REQUIRED), "business_connection_id": (_string, OPTIONAL),
        "message_thread_id": (_integer, OPTIONAL), "parse_mode": (_string, OPTIONAL), "entities": (_array, OPTIONAL),
        "link_preview_options": (_object, OPTIONAL), "disable_notification": (_boolean, OPTIONAL),
        "protect_content": (_boolean, OPTIONAL), "allow_paid_broadcast": (_boolean, OPTIONAL),
        "message_effect_id": (_string, OPTIONAL), "reply_parameters": (_object, OPTIONAL),
        "reply_markup": (_object, OPTIONAL),
    },
    "getFile": {"file_id": (_string, REQUIRED)},
}


def _check_reply_markup(markup: dict) -> None:
    kinds = [key for key in ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply") if key in markup]
    if len(kinds) != 1:
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not rows or not all(isinstance(row, list) and row for row in rows):
            raise ApiError(400, "Bad Request: keyboard must be an Array of Array of KeyboardButton")
        for button in itertools.chain(*rows):
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise ApiError(400, "Bad Request: keyboard button text must be non-empty")
    if "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
        raise ApiError(400, "Bad Request: remove_keyboard must be True")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Sent:
    chat_id: int | str
    text: str
    params: dict


@dataclass
class FileEntry:
    file_unique_id: str
    data: bytes | None          # None: Telegram knows the file but will not serve it (too big)
    size: int
    path: str


@dataclass
class FakeBotApi:
    token: str = "123456789:AAH-test_Token-for-the-stand-in"
    bot_id: int = 123456789
    username: str = "jiwei_intake_test_bot"
    updates: list[dict] = field(default_factory=list)       # not yet confirmed
    offsets: list[int | None] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (method, description) of 4xx answers
    files: dict[str, FileEntry] = field(default_factory=dict)
    chats: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)
    flood: int = 0                  # the next N sendMessage calls get 429
    unavailable: bool = False       # every method answers 502, as Telegram does in an outage
    send_outages: int = 0           # the next N sendMessage calls get 502
    download_gate: threading.Event | None = None
    downloads_started: int = 0

    def __post_init__(self):
        self.lock = threading.Condition()
        self.next_update = 700_000_000
        self.next_message = itertools.count(1)
        self.next_file = itertools.count(1)
        self.poll_generation = 0
        self.server: ThreadingHTTPServer | None = None

    # -- running -------------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                api._serve(self)

            def do_POST(self):
                api._serve(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        with self.lock:
            self.poll_generation += 1
            self.lock.notify_all()
        if self.download_gate is not None:
            self.download_gate.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- what citizens send ----------------------------------------------------------------------

    def text(self, chat_id: int, text: str, language_code: str = "zh-hans") -> int:
        content: dict = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push(chat_id, content, language_code)

    def photo(self, chat_id: int, data: bytes, caption: str | None = None) -> int:
        thumb = self.add_file(b"\xff\xd8\xff\xe0thumbnail" + data[:64], "photos")
        full = self.add_file(data, "photos")
        sizes = [{**thumb, "width": 90, "height": 67}, {**full, "width": 1280, "height": 960}]
        return self._push(chat_id, {"photo": sizes, **({"caption": caption} if caption else {})})

    def document(self, chat_id: int, data: bytes | None, file_name: str, mime_type: str,
                 declared_size: int | None = -1, caption: str | None = None) -> int:
        """DATA None: a file Telegram holds but getFile refuses (over 20 MB), of DECLARED_SIZE."""
        entry = self.add_file(data, "documents", size=declared_size)
        if declared_size is None:
            entry.pop("file_size")
        return self._push(chat_id, {"document": {**entry, "file_name": file_name, "mime_type": mime_type},
                                    **({"caption": caption} if caption else {})})

    def voice(self, chat_id: int, data: bytes) -> int:
        entry = self.add_file(data, "voice")
        return self._push(chat_id, {"voice": {**entry, "duration": 3, "mime_type": "audio/ogg"}})

    def sticker(self, chat_id: int) -> int:
        entry = self.add_file(b"RIFF....WEBPVP8 ", "stickers")
        return self._push(chat_id, {"sticker": {**entry, "width": 512, "height": 512, "is_animated": False,
                                                "is_video": False, "type": "regular"}})

    def group_text(self, chat_id: int, text: str) -> int:
        return self._push(chat_id, {"text": text}, chat_type="group")

    def add_file(self, data: bytes | None, folder: str, size: int | None = -1) -> dict:
        number = next(self.next_file)
        file_id, unique = f"BQACAgUAAxkBAAI{number:06d}x", f"AgAD{number:04d}"
        declared = len(data) if size in (-1, None) and data is not None else size
        extension = {"photos": ".jpg", "voice": ".oga"}.get(folder, ".bin")
        with self.lock:
            self.files[file_id] = FileEntry(unique, data, declared or 0, f"{folder}/file_{number}{extension}")
        return {"file_id": file_id, "file_unique_id": unique, "file_size": declared}

    def _push(self, chat_id: int, content: dict, language_code: str = "zh-hans", chat_type: str = "private") -> int:
        with self.lock:
            self.next_update += 1
            user = {"id": abs(chat_id), "is_bot": False, "first_name": "明", "last_name": "李",
                    "language_code": language_code}
            chat = {"id": chat_id, "type": chat_type}
            chat.update({"first_name": "明", "last_name": "李"} if chat_type == "private" else {"title": "某群"})
            message = {"message_id": next(self.next_message), "from": user, "chat": chat,
                       "date": int(time.time()), **content}
            self.updates.append({"update_id": self.next_update, "message": message})
            self.chats.add(chat_id)
            self.lock.notify_all()
            return self.next_update

    # -- what the bot did --------------------------------------------------------------------------

    def texts_to(self, chat_id: int) -> list[str]:
        with self.lock:
            return [sent.text for sent in self.sent if sent.chat_id == chat_id]

    def wait_for_texts(self, chat_id: int, count: int, timeout: float = 60.0) -> list[str]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len([s for s in self.sent if s.chat_id == chat_id]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"chat {chat_id} got {self.texts_to_unlocked(chat_id)}, wanted {count}")
                self.lock.wait(left)
            return self.texts_to_unlocked(chat_id)

    def texts_to_unlocked(self, chat_id: int) -> list[str]:
        return [sent.text for sent in self.sent if sent.chat_id == chat_id]

    def wait_confirmed(self, update_id: int, timeout: float = 60.0) -> None:
        """Until getUpdates was called with an offset past UPDATE_ID."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not any(offset is not None and offset > update_id for offset in self.offsets):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"update {update_id} never confirmed; offsets {self.offsets[-5:]}")
                self.lock.wait(left)

    # -- HTTP ------------------------------------------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        path = unquote(urlsplit(request.path).path)   # the token's ":" may come %3A-encoded
        try:
            body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
            if match := re.fullmatch(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)", path):
                self._check_token(match["token"])
                return self._download(request, match["path"])
            match = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)", path)
            if match is None:
                raise ApiError(404, "Not Found")
            self._check_token(match["token"])
            method = match["method"]
            if method not in METHODS:
                raise ApiError(404, "Not Found")
            if self.unavailable:
                raise ApiError(502, "Bad Gateway")
            params = self._params(request, body)
            checked = self._validate(method, params)
            with self.lock:
                self.calls[method] += 1
            result = getattr(self, f"_{method}")(checked)
            self._answer(request, 200, {"ok": True, "result": result})
        except ApiError as exc:
            answer = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                answer["parameters"] = exc.parameters
            with self.lock:
                self.refused.append((path.rsplit("/", 1)[-1], exc.description))
            self._answer(request, exc.code, answer)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _check_token(self, token: str) -> None:
        if token != self.token:
            raise ApiError(401, "Unauthorized")

    @staticmethod
    def _params(request: BaseHTTPRequestHandler, body: bytes) -> dict:
        params: dict = dict(parse_qsl(urlsplit(request.path).query))
        kind = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and kind == "application/json":
            try:
                params.update(json.loads(body))
            except json.JSONDecodeError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
        elif body and kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif body:
            raise ApiError(400, f"Bad Request: the stand-in does not read {kind or 'untyped'} bodies")
        return params

    @staticmethod
    def _validate(method: str, params: dict) -> dict:
        schema = METHODS[method]
        unknown = set(params) - set(schema)
        if unknown:
            # The real API ignores unknown fields; a misspelt one would then go unnoticed, so here it fails.
            raise ApiError(400, f"Bad Request: unexpected parameter {sorted(unknown)[0]!r} (stand-in check)")
        checked = {}
        for name, (kind, required) in schema.items():
            if name not in params:
                if required:
                    raise ApiError(400, f"Bad Request: {name} is empty" if name == "text"
                                   else f"Bad Request: parameter \"{name}\" is required")
                continue
            checked[name] = kind(params[name], name)
        return checked

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _download(self, request: BaseHTTPRequestHandler, file_path: str) -> None:
        with self.lock:
            entry = next((e for e in self.files.values() if e.path == file_path and e.data is not None), None)
            self.downloads_started += 1
            self.lock.notify_all()
        if entry is None:
            raise ApiError(404, "Not Found")
        if self.download_gate is not None:
            self.download_gate.wait(60)
        request.send_response(200)
        request.send_header("Content-Type", "application/octet-stream")
        request.send_header("Content-Length", str(len(entry.data)))
        request.end_headers()
        request.wfile.write(entry.data)

    # -- methods ---------------------------------------------------------------------------------------

    def _getMe(self, params: dict) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "举报受理", "username": self.username,
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _deleteWebhook(self, params: dict) -> bool:
        return True

    def _getUpdates(self, params: dict) -> list[dict]:
        offset, limit, timeout = params.get("offset"), params.get("limit", 100), params.get("timeout", 0)
        if not 1 <= limit <= 100:
            raise ApiError(400, "Bad Request: limit must be between 1 and 100")
        if timeout < 0:
            raise ApiError(400, "Bad Request: timeout must be non-negative")
        deadline = time.monotonic() + timeout
        with self.lock:
            self.offsets.append(offset)
            self.poll_generation += 1
            generation = self.poll_generation
            self.lock.notify_all()
            if offset is not None:
                # Every update below the offset is confirmed: Telegram forgets it.
                self.updates = self.updates[offset:] if offset < 0 else [u for u in self.updates
                                                                          if u["update_id"] >= offset]
            while not self.updates:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
                if self.poll_generation != generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                        "make sure that only one bot instance is running")
            return [dict(update) for update in self.updates[:limit]]

    def _sendMessage(self, params: dict) -> dict:
        text, chat_id = params["text"], params["chat_id"]
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        if "reply_markup" in params:
            _check_reply_markup(params["reply_markup"])
        options = params.get("link_preview_options", {})
        if "is_disabled" in options and not isinstance(options["is_disabled"], bool):
            raise ApiError(400, "Bad Request: can't parse link preview options")
        with self.lock:
            if self.send_outages > 0:
                self.send_outages -= 1
                raise ApiError(502, "Bad Gateway")
            if self.flood > 0:
                self.flood -= 1
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            if chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self.chats:
                raise ApiError(400, "Bad Request: chat not found")
            self.sent.append(Sent(chat_id, text, params))
            self.lock.notify_all()
            number = next(self.next_message)
        return {"message_id": number, "date": int(time.time()), "text": text,
                "chat": {"id": chat_id, "type": "private", "first_name": "明"},
                "from": {"id": self.bot_id, "is_bot": True, "first_name": "举报受理", "username": self.username}}

    def _getFile(self, params: dict) -> dict:
        with self.lock:
            entry = self.files.get(params["file_id"])
        if entry is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if entry.data is None or entry.size > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": params["file_id"], "file_unique_id": entry.file_unique_id, "file_size": entry.size,
                "file_path": entry.path}
