"""Intake: channel listeners and the parsing of raw inbound messages into one normalized Submission."""
