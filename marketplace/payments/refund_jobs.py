"""Refunds' periodic work, run by the Huey worker (`flask worker`)."""
from huey import crontab

from marketplace.core.jobs import periodic_job
from marketplace.payments import refunds


@periodic_job(crontab(minute="*/15"))
def refund_cancelled_parcels_job() -> int:
    return refunds.refund_cancelled_parcels()
