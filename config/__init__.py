"""Settings loading: settings.toml (or --config / INTAKE_CONFIG), then INTAKE_<SECTION>__<KEY> overrides.

Everything is validated once at start-up into typed, frozen objects; a bad value stops start-up with
one line naming the key.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from config.schema import Settings

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "settings.toml"
ENV_PREFIX = "INTAKE_"


class ConfigError(Exception):
    """A setting is missing, malformed or out of range; the message is one line naming the key."""


def load(path: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    chosen = Path(path or environ.get("INTAKE_CONFIG") or DEFAULT_FILE)
    try:
        with open(chosen, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"settings file not found: {chosen}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{chosen}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{chosen}: cannot be read: {exc.strerror}") from None
    _apply_environment(data, environ)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def _apply_environment(data: dict, environ: Mapping[str, str]) -> None:
    """INTAKE_SMTP__PORT=2600 sets [smtp] port; INTAKE_MAILBOX='[...]' replaces a whole section."""
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name == "INTAKE_CONFIG":
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX):].split("__")]
        if path[0] not in Settings.model_fields:
            continue
        value = _env_value(name, raw)
        target = data
        for part in path[:-1]:
            node = target.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{name}: {'.'.join(path[:-1])} is not a table")
            target = node
        target[path[-1]] = value


def _env_value(name: str, raw: str):
    # Lists and tables come as JSON; scalars stay strings and are converted by validation.
    if raw.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{name}: not valid JSON: {exc.msg}") from None
    return raw


def _one_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "settings"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more)" if more else ""
    return f"setting {key}: {message}{suffix}"
