"""The payments' periodic work, run by the Huey worker (`flask worker`)."""
from huey import crontab

from marketplace.core.jobs import periodic_job
from marketplace.payments import refunds, services


@periodic_job(crontab(minute="*/5"))
def close_stale_payments_job() -> int:
    return services.close_stale_payments()


@periodic_job(crontab(minute="*/15"))
def refund_cancelled_parcels_job() -> int:
    """Paid parcels cancelled while Stripe did not answer get their refund now."""
    return refunds.refund_cancelled_parcels()
