"""The blueprint every JSON API module uses: flask-smorest's, with a request parser that answers
400 to every body Python's json cannot read."""
from __future__ import annotations

import json

import flask_smorest
from webargs.flaskparser import FlaskParser


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser, but a JSON number longer than Python converts (4,300 digits, a
    guard against slow int parsing) is an invalid body, 400, instead of a ValueError and a 500."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except ValueError as error:
            # A non-empty doc: webargs reads an empty one as "no body at all".
            raise json.JSONDecodeError(str(error), "(body)", 0) from error


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ArgumentsParser()
