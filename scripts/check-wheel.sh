#!/usr/bin/env bash
# Build a wheel, install it into a fresh venv outside the checkout, and fetch the sign-in page
# and a signed-in page through it: an installed reviewtracker must serve every page (its
# templates, static files and migrations travel inside the package).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/reviewtracker-wheel.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 -m pip wheel --quiet --no-deps --wheel-dir "$WORK/dist" . 2>&1 | grep -v "is ignored" || true
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet "$WORK"/dist/reviewtracker-*.whl 2>&1 | grep -v "is ignored" || true
cd "$WORK"  # nothing of the checkout is importable from here
export DATABASE_URL="sqlite:///$WORK/wheel.db" SECRET_KEY=wheel-check LOG_FORMAT=text LOG_LEVEL=WARNING
"$WORK/venv/bin/reviewtracker" init-db >/dev/null
printf 'wheel-check-password\n' |
  "$WORK/venv/bin/reviewtracker" create-user wheel@example.org --role admin --password-stdin >/dev/null
"$WORK/venv/bin/python" - <<'PY'
import reviewtracker
from reviewtracker import create_app

assert "site-packages" in reviewtracker.__file__, reviewtracker.__file__
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
client = app.test_client()
page = client.get("/login")
assert page.status_code == 200 and b"Sign in" in page.data, page.status_code
signed_in = client.post(
    "/login", data={"email": "wheel@example.org", "password": "wheel-check-password"}
)
assert signed_in.status_code == 302, signed_in.status_code
for path in ("/", "/comments/", "/static/app.css"):
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
print("wheel: installed package serves /login, /, /comments/ and its static files")
PY
