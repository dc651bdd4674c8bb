"""Answers to reporters: templates in Chinese and English, the outbox, and its senders."""
