"""Background jobs with Huey, created unbound here and bound to an app in create_app().

Storage follows the configuration: a SQLite file under instance/ by default, Redis when
REDIS_URL is set, and immediate mode (each job runs at once, inside the caller) when
HUEY_IMMEDIATE is on, as in development and the tests. A job always runs inside an
application context of the bound app, so it can use the database and render templates.

Workers: `flask --app wsgi worker` (or `huey_consumer wsgi.huey`).
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

log = logging.getLogger(__name__)

# Immediate until bound, so importing a module that declares jobs never touches a queue.
huey = Huey("canting", immediate=True, results=False)  # no job returns anything we read
_bound: dict[str, Flask] = {}


def init_jobs(app: Flask) -> None:
    """Point the shared Huey instance at this app's queue and run its jobs in this app."""
    huey.name = app.config.get("HUEY_NAME", "canting")
    if app.config.get("REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        path = Path(app.config["HUEY_SQLITE_PATH"])
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": str(path)}
    huey._immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    if not huey._immediate and huey.storage_class is SqliteStorage:
        Path(huey.storage_kwargs["filename"]).parent.mkdir(parents=True, exist_ok=True)
    huey.storage = huey.create_storage()
    _bound["app"] = app
    app.extensions["huey"] = huey


def bound_app() -> Flask:
    try:
        return _bound["app"]
    except KeyError:
        raise RuntimeError("Jobs need an app: call create_app() first.") from None


def _in_app_context(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        # A fresh context, hence a fresh database session, even when immediate mode runs the
        # job inside a request: the job commits only its own work.
        with bound_app().app_context():
            return fn(*args, **kwargs)
    return inner


def job(**options):
    """Declare a background job (a Huey task) that runs in an app context."""
    def decorator(fn):
        return huey.task(name=f"{fn.__module__}.{fn.__name__}", **options)(_in_app_context(fn))
    return decorator


def periodic_job(schedule, **options):
    """Declare a job the worker runs on a schedule (a huey.crontab)."""
    def decorator(fn):
        return huey.periodic_task(schedule, name=f"{fn.__module__}.{fn.__name__}", **options)(
            _in_app_context(fn)
        )
    return decorator


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the background jobs (mail, periodic sweeps) of this app until stopped."""
    if huey.immediate:
        raise click.ClickException(
            "HUEY_IMMEDIATE is on: jobs already run inside the web process. "
            "Set HUEY_IMMEDIATE=0 (and REDIS_URL with several instances) to run a worker."
        )
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
