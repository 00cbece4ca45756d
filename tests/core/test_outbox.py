"""The mail outbox: written in the transaction that causes it, delivered by a job after the commit."""
from __future__ import annotations

import smtplib
from datetime import timedelta

import sqlalchemy as sa
from flask_mailman import EmailMessage

from marketplace.core import mail as outbox_mail
from marketplace.core.models import OutboxMail
from marketplace.core.times import utcnow
from marketplace.programs import officers
from tests import factories


def rows(db) -> list[OutboxMail]:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()


def invite(admin):
    return officers.invite_officer(email="petugas@bi.test", name="Petugas", organization_slug="bi-kaltim",
                                   invited_by=admin)


def test_a_mail_is_a_row_of_the_same_transaction_and_is_sent_after_the_commit(db, outbox):
    factories.make_organization(slug="bi-kaltim")
    invite(factories.make_user(roles=["admin"]))
    [row] = rows(db)
    assert row.recipient == "petugas@bi.test" and row.is_sent
    assert [m.to for m in outbox] == [["petugas@bi.test"]]
    assert outbox[0].subject == row.subject and outbox[0].body == row.body


def test_a_change_that_rolls_back_leaves_no_mail(db, outbox):
    admin = factories.make_user(roles=["admin"])
    outbox_mail.queue_mail("x@example.test", "accounts/mail/password_reset_subject.txt",
                           "accounts/mail/password_reset.txt", locale="id",
                           user=admin, link="http://localhost/x", hours=1)
    db.session.rollback()
    db.session.commit()
    assert rows(db) == [] and outbox == []


def test_a_failed_send_stays_pending_and_a_later_run_delivers_it(app, db, outbox, monkeypatch):
    factories.make_organization(slug="bi-kaltim")
    admin = factories.make_user(roles=["admin"])

    def smtp_down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMessage, "send", smtp_down)
    invite(admin)  # the officer's account is created all the same
    [row] = rows(db)
    assert not row.is_sent and row.attempts == 1 and "SMTPServerDisconnected" in row.last_error
    assert outbox == []
    assert outbox_mail.send_pending_mail() == 0  # not due yet: backoff

    monkeypatch.undo()
    assert outbox_mail.send_pending_mail(now=utcnow() + timedelta(minutes=2)) == 1
    [row] = rows(db)
    assert row.is_sent
    assert [m.to for m in outbox] == [["petugas@bi.test"]]
    assert outbox_mail.send_pending_mail(now=utcnow() + timedelta(hours=1)) == 0  # never twice


def test_mail_whose_job_was_lost_is_sent_by_flask_outbox_send(app, db, outbox, monkeypatch):
    # As if the process died between the commit and the enqueue.
    monkeypatch.setattr(outbox_mail, "deliver_mail_job", lambda mail_id: None)
    factories.make_organization(slug="bi-kaltim")
    invite(factories.make_user(roles=["admin"]))
    assert outbox == [] and not rows(db)[0].is_sent

    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1; 0 still pending." in result.output
    assert [m.to for m in outbox] == [["petugas@bi.test"]]


def test_the_worker_command_refuses_to_run_in_immediate_mode(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "HUEY_IMMEDIATE" in result.output
