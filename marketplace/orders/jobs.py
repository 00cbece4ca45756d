"""The orders' periodic work, run by the Huey worker (`flask worker`)."""
from huey import crontab

from marketplace.core.jobs import periodic_job
from marketplace.orders import services


@periodic_job(crontab(minute="*"))
def expire_unpaid_orders_job() -> int:
    return services.expire_unpaid_orders()


@periodic_job(crontab(minute="7"))
def flag_late_shipments_job() -> int:
    return services.flag_late_shipments()


@periodic_job(crontab(minute="17", hour="*/6"))
def auto_complete_delivered_job() -> int:
    return services.auto_complete_delivered()
