"""Sending mail through Flask-Mailman.

Development writes each message as a file under instance/mail/ ("file"
backend); tests keep them in memory ("locmem"); production uses SMTP. Callers
send after their transaction has committed, so a rolled-back change never
mails anyone.
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage

def send_mail(to: str, subject_template: str, body_template: str, *, locale: str, **context) -> None:
    """Render a mail in the recipient's language and send it."""
    with force_locale(locale):
        subject = render_template(subject_template, **context).strip()
        body = render_template(body_template, **context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[to],
    )
    message.send()
