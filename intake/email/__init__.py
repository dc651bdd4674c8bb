"""The email channel: the SMTP listener, the IMAP reader (its session and cursor), sender
authenticity (DKIM), mail files for `ingest`, and the channel's description for the pipeline."""
