"""What the browser tests share: how Debian's Chromium is started, and which requests stay on the machine."""

from __future__ import annotations

from urllib.parse import urlsplit

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Headless, as root, and without the background connections that this machine's closed network refuses."""
TIMEOUT_MS = 20_000


def is_local(url: str) -> bool:
    """Whether a request of the page stays on the machine: loopback, or data the page made itself."""
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname == "127.0.0.1"
