"""Mail leaves through an outbox: a row written in the transaction that causes it, sent by a job.

`queue_mail` renders the message in the recipient's language and adds it to the session
(flush only). When that session commits, a job is enqueued for each new row; if it rolls
back, the rows vanish with the change and nobody is mailed. The job sends through
Flask-Mailman (files under instance/mail/ in development, memory in tests, SMTP in
production). A failed send stays pending and is retried with backoff by the periodic sweep
(`send_pending_mail`, also `flask outbox send`), which also picks up mail whose job was lost,
for example when the process died between the commit and the enqueue.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app, render_template
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_mailman import EmailMessage
from huey import crontab
from sqlalchemy.orm import Session

from marketplace.core.jobs import job, periodic_job
from marketplace.core.models import OutboxMail
from marketplace.core.times import utcnow
from marketplace.extensions import db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a worker that died mid-send gives its mail back after this
_SESSION_KEY = "outbox_new_mail_ids"


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


def queue_mail(to: str, subject_template: str, body_template: str, *, locale: str, **context) -> OutboxMail:
    """Render a mail in the recipient's language and add it to the outbox. Flushes; the caller commits."""
    with force_locale(locale):
        subject = render_template(subject_template, **context).strip()
        body = render_template(body_template, **context)
    mail = OutboxMail(recipient=to, subject=subject[:255], body=body)
    db.session.add(mail)
    db.session.flush()
    db.session.info.setdefault(_SESSION_KEY, []).append(mail.id)
    return mail


@sa.event.listens_for(Session, "after_commit")
def _enqueue_committed_mail(session: Session) -> None:
    for mail_id in session.info.pop(_SESSION_KEY, []):
        try:
            deliver_mail_job(mail_id)
        except Exception:  # the queue is down: the sweep sends it later
            log.exception("Could not enqueue outbox mail %s", mail_id)


@sa.event.listens_for(Session, "after_rollback")
def _forget_rolled_back_mail(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def deliver_mail(mail_id: int, *, now: datetime | None = None) -> bool:
    """Send one pending mail that is due; True when it went out.

    Takes the row with one guarded UPDATE first, so a mail is sent by one worker only.
    A failed send is recorded on the row and retried later; it never raises.
    """
    now = now or utcnow()
    taken = db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None),
               OutboxMail.next_attempt_at <= now, OutboxMail.attempts < MAX_ATTEMPTS)
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if taken != 1:
        return False
    mail = db.session.get(OutboxMail, mail_id)
    message = EmailMessage(subject=mail.subject, body=mail.body,
                           from_email=current_app.config["MAIL_DEFAULT_SENDER"], to=[mail.recipient])
    try:
        message.send()
    except Exception as error:  # SMTP down, refused, timed out: try again later
        mail.attempts += 1
        mail.last_error = f"{type(error).__name__}: {error}"[:500]
        mail.next_attempt_at = now + backoff(mail.attempts)
        db.session.commit()
        log.warning("Mail %s not sent (attempt %s): %s", mail.id, mail.attempts, mail.last_error)
        return False
    mail.sent_at = utcnow()
    db.session.commit()
    return True


def send_pending_mail(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send every pending mail that is due (oldest first); returns how many went out."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(OutboxMail.id)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now,
               OutboxMail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMail.id).limit(limit)
    ).all()
    return sum(deliver_mail(mail_id, now=now) for mail_id in due)


@job()
def deliver_mail_job(mail_id: int) -> bool:
    return deliver_mail(mail_id)


@periodic_job(crontab(minute="*"))
def send_pending_mail_job() -> int:
    return send_pending_mail()


outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("send")
def send_pending_command():
    """Send the pending mail that is due now (the worker also does this every minute)."""
    sent = send_pending_mail()
    left = db.session.scalar(sa.select(sa.func.count()).where(OutboxMail.sent_at.is_(None)))
    click.echo(f"Sent {sent}; {left} still pending.")
