"""Persistence of the intake: tables, engine and migrations, raw and evidence files, the audit log,
and every state change and look-up of a row (inbound messages, cases, reporters, the outbox,
claims, IMAP cursors, Telegram drafts). Imports nothing of the project's outside store/."""
