"""Implementations of bot.py's commands: each module turns arguments into calls and prints results."""
