"""Security headers on every response, and the cookie settings they go with.

The Content-Security-Policy allows scripts and styles only from this site's own files: no
inline <script>, no on...= handler attributes, no style= attributes (templates use classes;
tests/reviewtracker/test_security.py greps the templates). Pages may not be framed.

Cookies (config.py): the session and remember-me cookies are HttpOnly and SameSite=Lax
always, and Secure when REVIEWTRACKER_HTTPS=1 says the site is served over HTTPS (then
responses also carry Strict-Transport-Security).
"""

from __future__ import annotations

from flask import Flask, current_app
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Only sent over HTTPS deployments: a browser then refuses plain HTTP to this host for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
