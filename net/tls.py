"""TLS contexts: the server side of our listeners, the client side when we connect to a server."""

from __future__ import annotations

import ssl


def server_context(cert_file: str | None, key_file: str | None) -> ssl.SSLContext | None:
    """None when no certificate is configured: the listener then offers no STARTTLS."""
    if not (cert_file and key_file):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def client_context() -> ssl.SSLContext:
    # The system's trust store; a private CA is added with SSL_CERT_FILE / SSL_CERT_DIR.
    return ssl.create_default_context()
