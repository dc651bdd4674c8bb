"""Decoding raw mail: the MIME tree, charsets, headers, transfer encodings, body and HTML text,
TNEF. A library: it imports nothing of the project's."""
