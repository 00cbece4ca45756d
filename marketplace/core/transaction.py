"""The single commit point of a service call."""
from marketplace.extensions import db


def commit() -> None:
    """Commit the session; on any failure roll back everything the use case wrote, then re-raise."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
