"""`make run`: migrate the SQLite database under var/, load the demo organization, then run
the web server and the task worker together until Ctrl-C."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from portico.web.demo import DEMO_ORG, DEMO_PASSWORD, DEMO_USERS

BASE = Path(__file__).resolve().parent.parent.parent
VAR = BASE / "var"


def _env() -> dict[str, str]:
    VAR.mkdir(exist_ok=True)
    key_file = VAR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    env.setdefault("SECRET_KEY_FILE", str(key_file))
    env.setdefault("DATABASE_URL", f"sqlite:///{VAR / 'portico.sqlite3'}")
    env.setdefault("EMAIL_URL", "portico.outbox.mailbox.MailboxBackend")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    env.setdefault("VAPID_PRIVATE_KEY_FILE", str(VAR / "vapid_private.pem"))
    env.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")
    env["PORT"] = port
    return env


def main() -> int:
    env = _env()
    py = sys.executable
    manage = str(BASE / "manage.py")
    steps = (
        ["migrate", "--no-input", "-v", "0"],
        ["load_demo"],
        ["seal_certificate", "--if-missing"],  # signed agreements are sealed with it (self-signed, for the demo)
        ["sweep"],
        ["vapid_keys", "--if-missing"],
    )
    for step in steps:
        subprocess.run([py, manage, *step], env=env, check=True)

    url = env["SITE_URL"]
    logins = "\n".join(
        f"    {email:<28} {'support operator' if role is None else role}" for email, _name, role in DEMO_USERS
    )
    print(
        f"""
  Portico is running at {url}/
  Demo logins (password for all: {DEMO_PASSWORD}):
{logins}
  Sent mail and SMS: {url}/o/{DEMO_ORG[1]}/messages/ (signed in as admin), and printed on this console.
  Database: {env["DATABASE_URL"]}   Stop with Ctrl-C.
""",
        flush=True,
    )
    procs = [
        subprocess.Popen([py, manage, "runserver", f"127.0.0.1:{env['PORT']}"], env=env),
        subprocess.Popen([py, manage, "db_worker", "--queue-name", "*", "--interval", "0.5"], env=env),
    ]
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(p.poll() is None for p in procs):
        time.sleep(0.5)
    stop()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
