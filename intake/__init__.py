"""Intake: how a message gets in and what becomes of it.

`accept.py` and `submission.py` are the two contracts every channel speaks (durable acceptance of
raw bytes; the parsed `Submission`), `channel.py` what the pipeline knows of a channel. The rooms:
`email/` (SMTP listener, IMAP reader, authenticity), `telegram/` (the bot and its conversation),
`mime/` (decoding raw mail; imports nothing of ours), `pipeline/` (the channel-blind worker:
prepare, screen, file, thread). Rows are read and changed only through `store/`.
"""
