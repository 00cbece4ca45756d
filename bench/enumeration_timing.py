"""Does the time of an answer tell whether an email is registered? (issue 9, finding 5)

    python bench/enumeration_timing.py            # 40 rounds each
    python bench/enumeration_timing.py --rounds 100

Builds a fresh SQLite database in bench/out/ by running the migrations, creates one account,
then times, in-process with the Flask test client, each request for a registered and for an
unknown email: a failed sign-in, a registration, and a password-reset request. Jobs are
queued as in production (HUEY_IMMEDIATE off, a SQLite queue nobody consumes), so the time is
what the request itself costs. CSRF and rate limits are off so every request does its work.

It prints median and 90th-percentile milliseconds and asserts nothing: timing goals are read,
not tested.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.extensions import db  # noqa: E402

KNOWN = "known@example.com"
PASSWORD = "correct horse battery"


def build_app():
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("enumeration.db", "enumeration-huey.db"):
        (OUT / name).unlink(missing_ok=True)
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{OUT / 'enumeration.db'}",
        "HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(OUT / "enumeration-huey.db"),
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        from marketplace.accounts.services import add_user

        add_user(email=KNOWN, roles=["buyer"], name="Known", password=PASSWORD)
        db.session.commit()
    return app


def timed(app, method: str, path: str, data: dict) -> float:
    client = app.test_client()
    start = time.perf_counter()
    with app.app_context():
        response = client.open(path, method=method, data=data)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 302), (path, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    app = build_app()
    cases = {
        "sign-in, wrong password": lambda email, n: ("POST", "/login", {"email": email, "password": "wrong guess"}),
        "registration": lambda email, n: ("POST", "/register", {
            "name": "Someone", "email": email if email == KNOWN else f"new{n}@example.com",
            "password": PASSWORD, "confirm": PASSWORD}),
        "password reset request": lambda email, n: ("POST", "/password/reset", {"email": email}),
    }
    print(f"{'request':<26} {'email':<9} {'median ms':>10} {'p90 ms':>8}")
    for label, build in cases.items():
        timed(app, *build(KNOWN, -1))  # warm up (the dummy hash, templates)
        timed(app, *build("nobody@example.com", -2))
        samples = {"known": [], "unknown": []}
        for n in range(args.rounds):  # interleaved, first one then the other: drift hits both alike
            order = [("known", KNOWN), ("unknown", "nobody@example.com")]
            for kind, email in order if n % 2 == 0 else order[::-1]:
                samples[kind].append(timed(app, *build(email, n)))
        for kind, values in samples.items():
            values.sort()
            p90 = values[int(len(values) * 0.9) - 1]
            print(f"{label:<26} {kind:<9} {statistics.median(values):>10.1f} {p90:>8.1f}")


if __name__ == "__main__":
    main()
