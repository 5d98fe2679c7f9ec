"""Debian's Chromium for the browser tests: where it is and the flags it runs with here (no
sandbox as root, no GPU, and no background connections, which this machine's closed network
refuses)."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
