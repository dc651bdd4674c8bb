"""Tests of the Telegram channel, against a stand-in Bot API server on loopback."""
