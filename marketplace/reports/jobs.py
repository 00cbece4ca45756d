"""The reports' periodic work, run by the Huey worker (`flask worker`)."""
from huey import crontab

from marketplace.core.jobs import periodic_job
from marketplace.core.transaction import commit
from marketplace.reports import facts


@periodic_job(crontab(minute="*"))
def refresh_sale_facts_job() -> int:
    """Keeps the catch-up each report does before reading down to the last minute's changes."""
    written = facts.refresh_sale_facts()
    commit()
    return written
