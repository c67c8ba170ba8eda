"""Keep passwords out of every byte dbctl prints.

Two layers: URLs are rendered with the password masked, and every password dbctl has seen
is registered here so that the output layer can scrub it from any text, including driver
and SQLAlchemy error messages that echo a connection string.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, unquote

MASK = "***"

_secrets: set[str] = set()

# scheme://user:password@host  — the password part may hold anything but '@' and '/'
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s/]*)(?P<tail>@)")
# libpq key=value form: password=secret or password='se cret'
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|[^\s]+)", re.I)


def register_secret(secret: str | None) -> None:
    """Remember a password (and its URL-encoded forms) so that :func:`scrub` removes it."""
    if not secret:
        return
    for form in {secret, unquote(secret), quote(secret, safe=""), quote_plus(secret)}:
        # Very short secrets would mask ordinary words; the URL patterns still catch them.
        if len(form) >= 3:
            _secrets.add(form)


def scrub(text: str) -> str:
    """Return ``text`` with URL passwords masked and every registered secret removed."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['tail']}", text)
    text = _KV_PASSWORD.sub(lambda m: f"{m['head']}{MASK}", text)
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text
