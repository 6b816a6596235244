"""Per-installation settings: copy to instance/config.py and keep what you change.

Read by create_app() at start-up (Flask's config.from_pyfile); every name is a Flask setting.
Environment variables (DATABASE_URL, SECRET_KEY, ...) are read before this file, so a value
here wins over them.
"""

# The largest upload accepted, in bytes (default 20 MB).
# MAX_CONTENT_LENGTH = 20 * 1024 * 1024

# from datetime import timedelta
# The sign-in rate limit: failures per email and per address within the window lock sign-in.
# LOGIN_MAX_FAILURES = 5
# LOGIN_MAX_FAILURES_PER_ADDRESS = 20
# LOGIN_WINDOW = timedelta(minutes=15)
# LOGIN_LOCKOUT = timedelta(minutes=15)

# How long a sign-in lasts, remembered or not (and the remember-me cookie with it).
# SIGN_IN_LIFETIME = REMEMBER_COOKIE_DURATION = timedelta(days=14)
