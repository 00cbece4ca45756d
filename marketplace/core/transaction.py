"""The single commit point of a service call."""
from contextlib import contextmanager

from marketplace.extensions import db


def commit() -> None:
    """Commit the session; on any failure roll back everything the use case wrote, then re-raise."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


@contextmanager
def atomic():
    """Commit what the block writes when it ends; on any error roll all of it back, then re-raise.

    For use cases whose helpers flush before a rule can still fail (an account flushed, then
    its invitation code found used).
    """
    try:
        yield
    except Exception:
        db.session.rollback()
        raise
    commit()
