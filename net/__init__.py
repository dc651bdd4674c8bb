"""What the listeners and the senders share about talking to other machines: backoff, token
buckets, TLS contexts. Imports nothing of the project's."""
