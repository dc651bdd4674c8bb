"""Persistence of the intake: tables, engine and migrations, raw and evidence files, audit log."""
