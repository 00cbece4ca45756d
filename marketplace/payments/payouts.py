"""Payouts: an admin pays sellers what is available to them in one bulk bank transfer.

A batch is made of one payout per shop whose available balance is at least PAYOUT_MINIMUM and
that has bank details, with those details copied (a later change cannot redirect money already
sent to the bank). The admin downloads it as CSV for the bank's bulk-transfer upload; once the
bank has made the transfers, the admin marks the batch paid, which writes the payout entries
into the ledger and mails each seller. Until then the ledger is untouched and the shop cannot
enter another batch or change its bank details.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Shop
from marketplace.core import spreadsheet
from marketplace.core.errors import Conflict, InvalidTransition, NotFound
from marketplace.core.i18n import format_rupiah
from marketplace.core.mail import queue_mail
from marketplace.core.times import utcnow
from marketplace.core.transaction import commit
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.payments import ledger
from marketplace.payments.models import Payout, PayoutAccount, PayoutBatch, PayoutBatchStatus
from marketplace.payments.payout_accounts import bank_name, mask

CSV_COLUMNS = ("bank_code", "bank_name", "account_number", "account_holder", "amount", "reference", "shop_name")


@dataclass(frozen=True)
class PlannedPayout:
    shop: Shop
    account: PayoutAccount
    amount: int


@dataclass
class PayoutPlan:
    """What a batch created now would pay, and who is over the minimum but cannot be paid."""
    minimum: int
    payouts: list[PlannedPayout] = field(default_factory=list)
    without_account: list[Shop] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.payouts)


def payout_minimum() -> int:
    # A payout of nothing is no payout (and Payout.amount must be positive).
    return max(1, int(current_app.config.get("PAYOUT_MINIMUM", 50_000)))


def _require_admin(user: User) -> None:
    if not user.has_role(Role.ADMIN.value):
        raise NotFound(_("Payout batch not found."))


def plan_payouts(admin: User) -> PayoutPlan:
    """Who a batch created now would pay, and how much. Writes nothing. Raises NotFound (not an admin)."""
    _require_admin(admin)
    plan = PayoutPlan(minimum=payout_minimum())
    balances = ledger.shops_with_available(plan.minimum)
    if not balances:
        return plan
    in_open_batch = sa.select(Payout.shop_id).where(Payout.is_open)
    rows = db.session.execute(
        sa.select(Shop, PayoutAccount).outerjoin(PayoutAccount, PayoutAccount.shop_id == Shop.id)
        .where(Shop.id.in_(balances), Shop.id.not_in(in_open_batch)).order_by(Shop.name, Shop.id)).all()
    for shop, account in rows:
        if account is None:
            plan.without_account.append(shop)
        else:
            plan.payouts.append(PlannedPayout(shop, account, balances[shop.id].available))
    return plan


def create_payout_batch(admin: User) -> PayoutBatch:
    """A new batch paying every eligible shop its available balance (see plan_payouts), exported:
    waiting for the admin to send its CSV to the bank.

    Raises NotFound (not an admin), Conflict (no shop is eligible, or another batch took one of
    the shops at the same moment).
    """
    _require_admin(admin)
    batch = PayoutBatch(status=PayoutBatchStatus.EXPORTED.value, created_by_id=admin.id)
    try:
        # The batch is written before anything is read: on SQLite that takes the write lock, so
        # no seller's change of bank details (nor another batch) can commit between our reading
        # the details and our commit. On PostgreSQL the accounts are locked below instead.
        db.session.add(batch)
        db.session.flush()
        plan = plan_payouts(admin)
        if not plan.payouts:
            raise Conflict(_("No shop can be paid out now: none has an available balance of at least "
                             "%(minimum)s with bank details, outside a batch still open.",
                             minimum=format_rupiah(plan.minimum)))
        _lock_accounts([planned.account for planned in plan.payouts])
        for planned in plan.payouts:
            account = planned.account
            batch.payouts.append(Payout(shop_id=planned.shop.id, amount=planned.amount, bank_code=account.bank_code,
                                        account_number=account.account_number, holder_name=account.holder_name))
        db.session.flush()
    except IntegrityError as error:  # uq_payouts_one_open_per_shop: a concurrent batch was first
        db.session.rollback()
        raise Conflict(_("Another payout batch was just created; open it from the list.")) from error
    except Exception:
        db.session.rollback()
        raise
    try:
        commit()
    except IntegrityError as error:
        raise Conflict(_("Another payout batch was just created; open it from the list.")) from error
    return batch


def _lock_accounts(accounts: list[PayoutAccount]) -> None:
    """Lock ACCOUNTS' rows (PostgreSQL; SQLite's write lock is held already) and read them again,
    so the batch copies the details a seller's concurrent change committed, and that change,
    if it comes after, waits for the batch and then finds the payout open (save_payout_account).
    In id order, so two batches never wait on each other crosswise."""
    db.session.execute(sa.select(PayoutAccount).where(PayoutAccount.id.in_([a.id for a in accounts]))
                       .order_by(PayoutAccount.id).with_for_update()
                       .execution_options(populate_existing=True)).scalars().all()


def batches_query() -> sa.Select:
    """Every batch, the newest first."""
    return sa.select(PayoutBatch).order_by(PayoutBatch.created_at.desc(), PayoutBatch.id.desc())


def batch_for(admin: User, batch_id: int) -> PayoutBatch:
    """A batch, for an admin. Raises NotFound (no such batch, or not an admin)."""
    _require_admin(admin)
    batch = db.session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(_("Payout batch not found."))
    return batch


def payout_reference(payout: Payout) -> str:
    """What the seller's bank statement shows: enough to find the batch and the shop."""
    return f"CANTING-PAYOUT-{payout.batch_id}-{payout.shop.slug}"


def payout_batch_csv(admin: User, batch_id: int) -> str:
    """The batch as CSV for a bank's bulk-transfer upload: one row per payout.

    Text cells that a spreadsheet would run as a formula get a leading apostrophe.
    Raises NotFound (no such batch, or not an admin).
    """
    batch = batch_for(admin, batch_id)
    rows = ((payout.bank_code, bank_name(payout.bank_code), payout.account_number, payout.holder_name,
             payout.amount, payout_reference(payout), payout.shop.name) for payout in batch.payouts)
    return "".join(spreadsheet.csv_lines(CSV_COLUMNS, rows, byte_order_mark=False))


def mark_batch_paid(admin: User, batch_id: int) -> PayoutBatch:
    """The bank has made the batch's transfers: each payout enters its shop's ledger (minus the
    amount sent), the shops may change bank details and enter a new batch again, and each
    seller is mailed. A second call (a double click) writes nothing.

    Raises NotFound (no such batch, or not an admin), InvalidTransition (already paid).
    """
    batch = batch_for(admin, batch_id)
    now = utcnow()
    # Guarded: of two clicks racing, only one moves the batch, so entries are written once.
    moved = db.session.execute(
        sa.update(PayoutBatch).where(PayoutBatch.id == batch.id,
                                     PayoutBatch.status == PayoutBatchStatus.EXPORTED.value)
        .values(status=PayoutBatchStatus.PAID.value, paid_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.rollback()
        raise InvalidTransition(_("This payout batch is already marked paid."))
    batch.status, batch.paid_at = PayoutBatchStatus.PAID.value, now
    db.session.execute(sa.update(Payout).where(Payout.batch_id == batch.id).values(is_open=False))
    ledger.record_payout_entries(batch.payouts)
    link = external_url("payments-seller.balance")
    for payout in batch.payouts:
        seller = payout.shop.owner
        queue_mail(seller.email, "payments/mail/seller_payout_subject.txt", "payments/mail/seller_payout.txt",
                   locale=seller.locale, payout=payout, bank_name=bank_name(payout.bank_code),
                   account=mask(payout.account_number), reference=payout_reference(payout), link=link)
    commit()
    return batch
