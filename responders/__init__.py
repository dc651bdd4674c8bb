"""Answers to reporters: the words and templates (zh, en), the template context of every answer
and the one function that queues an answer for a case, the outbox, and its senders (email,
Telegram)."""
