"""The Telegram channel: the listener that polls the Bot API, the conversation (drawn in
conversation.mmd), drafts, files, per-chat limits, the update offset, and the channel's
description for the pipeline."""
