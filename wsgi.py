"""WSGI entry point: `gunicorn wsgi:app`, and what `flask` finds on its own.

`huey` is the job queue bound to this app, for `huey_consumer wsgi.huey` (the same as
`flask --app wsgi worker`).
"""
from marketplace import create_app

app = create_app()
huey = app.extensions["huey"]
