"""Bank details (checked, shown masked, locked while a payout is with the bank) and payout
batches: who is eligible, the bank's CSV, and marking a batch paid exactly once."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from marketplace.core.models import OutboxMail
from marketplace.extensions import db
from marketplace.payments import ledger, payouts
from marketplace.payments.models import LedgerEntry, Payout, PayoutAccount, PayoutBatch
from marketplace.payments.payout_accounts import BANKS, save_payout_account
from tests import factories
from tests.payments.sellers import entries_sum, net, sell, with_account


@pytest.fixture
def admin(db):
    return factories.make_user("bendahara@canting.test", roles=["admin"])


@pytest.fixture
def shop(db):
    return factories.make_shop(name="Batik Nurul", slug="batik-nurul")


@pytest.fixture(autouse=True)
def minimum(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", 100_000)  # shipping alone is about 50_000


def accounts() -> int:
    return db.session.scalar(sa.select(sa.func.count(PayoutAccount.id)))


# --- bank details --------------------------------------------------------------------------

def test_bank_details_are_saved_cleaned_and_shown_masked(shop):
    account = save_payout_account(shop.owner, bank_code="008", account_number=" 123-00 0987654-3 ",
                                  holder_name="  Nurul   Aini ")
    db.session.expire_all()
    account = db.session.get(PayoutAccount, account.id)
    assert (account.bank_code, account.account_number, account.holder_name) == ("008", "1230009876543", "Nurul Aini")
    assert account.masked_number == "•••• 6543"


def test_changing_bank_details_replaces_them(shop):
    with_account(shop)
    save_payout_account(shop.owner, bank_code="002", account_number="9876543210", holder_name="CV Batik Nurul")
    assert accounts() == 1
    assert db.session.scalar(sa.select(PayoutAccount.bank_code)) == "002"


@pytest.mark.parametrize(("values", "field"), [
    ({"bank_code": "999"}, "bank_code"),
    ({"bank_code": ""}, "bank_code"),
    ({"account_number": "12345"}, "account_number"),  # 5 digits
    ({"account_number": "1" * 21}, "account_number"),
    ({"account_number": "12345x789"}, "account_number"),
    ({"account_number": "١٢٣٤٥٦٧"}, "account_number"),  # digits, but not ASCII ones
    ({"holder_name": "Al"}, "holder_name"),
    ({"holder_name": "   "}, "holder_name"),
    ({"holder_name": "N" * 121}, "holder_name"),
])
def test_bad_bank_details_name_their_field_and_save_nothing(shop, values, field):
    good = {"bank_code": "014", "account_number": "1234567890", "holder_name": "Nurul Aini"}
    with pytest.raises(ValidationFailed) as refused:
        save_payout_account(shop.owner, **{**good, **values})
    assert set(refused.value.errors) == {field}
    assert accounts() == 0


def test_every_bad_field_is_named_at_once(shop):
    with pytest.raises(ValidationFailed) as refused:
        save_payout_account(shop.owner, bank_code="x", account_number="", holder_name="")
    assert set(refused.value.errors) == {"bank_code", "account_number", "holder_name"}


def test_six_and_twenty_digits_are_accepted(shop):
    with_account(shop, account_number="123456")
    with_account(shop, account_number="1" * 20)
    assert db.session.scalar(sa.select(PayoutAccount.account_number)) == "1" * 20


def test_a_seller_without_a_shop_has_no_bank_details(db):
    with pytest.raises(NotFound):
        save_payout_account(factories.make_artisan(), bank_code="014", account_number="1234567890",
                            holder_name="Nurul Aini")


def test_the_bank_list_holds_the_big_banks_and_regional_ones():
    names = {bank.name for bank in BANKS.values()}
    assert {"BCA", "Bank Mandiri", "BNI", "BRI", "Bank Jago", "SeaBank", "bank bjb", "BPD Bali"} <= names
    assert len(BANKS) >= 20 and all(code.isdigit() and len(code) == 3 for code in BANKS)


# --- batches -------------------------------------------------------------------------------

def test_a_batch_pays_each_eligible_shop_its_available_balance(shop, admin):
    delivered = sell(shop, price=150_000, deliver=True)
    sell(shop, price=90_000)  # on its way: pending, not paid out
    with_account(shop)
    batch = payouts.create_payout_batch(admin)
    assert len(batch.payouts) == 1
    payout = batch.payouts[0]
    assert payout.shop_id == shop.id and payout.amount == net(delivered)
    assert (payout.bank_code, payout.account_number, payout.holder_name) == ("014", "1234567890", "Nurul Aini")
    assert batch.status == "exported" and batch.total == payout.amount
    # Exporting moves no money: the ledger is untouched until the batch is marked paid.
    assert ledger.shop_balance(shop.id).available == net(delivered)


def test_shops_below_the_minimum_without_bank_details_or_in_an_open_batch_are_left_out(db, admin, app):
    ready, small, no_account, already = (factories.make_shop(name=n) for n in ("A", "B", "C", "D"))
    for s in (ready, no_account, already):
        sell(s, price=100_000, deliver=True)
    assert net(sell(small, price=5_000, deliver=True)) < 100_000
    for s in (ready, small, already):
        with_account(s)
    first = payouts.create_payout_batch(admin)
    assert {p.shop_id for p in first.payouts} == {ready.id, already.id}
    sell(ready, price=100_000, deliver=True)  # more available, but its payout is still open
    plan = payouts.plan_payouts(admin)
    assert plan.payouts == [] and [s.id for s in plan.without_account] == [no_account.id]
    with pytest.raises(Conflict, match="Belum ada toko yang dapat dicairkan"):
        payouts.create_payout_batch(admin)
    assert db.session.scalar(sa.select(sa.func.count(PayoutBatch.id))) == 1


def test_the_minimum_is_inclusive_and_configured(shop, admin, app, monkeypatch):
    shop_order = sell(shop, price=40_000, deliver=True)
    with_account(shop)
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", net(shop_order) + 1)
    assert payouts.plan_payouts(admin).payouts == []
    monkeypatch.setitem(app.config, "PAYOUT_MINIMUM", net(shop_order))
    assert [p.amount for p in payouts.plan_payouts(admin).payouts] == [net(shop_order)]


def test_only_admins_run_payouts(shop, admin):
    sell(shop, deliver=True)
    with_account(shop)
    batch = payouts.create_payout_batch(admin)
    for call in (lambda: payouts.create_payout_batch(shop.owner), lambda: payouts.plan_payouts(shop.owner),
                 lambda: payouts.payout_batch_csv(shop.owner, batch.id),
                 lambda: payouts.mark_batch_paid(shop.owner, batch.id), lambda: payouts.batch_for(admin, 10**6)):
        with pytest.raises(NotFound):
            call()
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)).where(LedgerEntry.kind == "payout")) == 0


def test_the_csv_has_a_row_per_payout_for_the_banks_bulk_transfer(shop, admin):
    shop_order = sell(shop, price=150_000, deliver=True)
    with_account(shop, bank_code="008", account_number="1230009876543", holder_name="Nurul Aini")
    batch = payouts.create_payout_batch(admin)
    rows = list(csv.reader(io.StringIO(payouts.payout_batch_csv(admin, batch.id))))
    assert rows == [
        ["bank_code", "bank_name", "account_number", "account_holder", "amount", "reference", "shop_name"],
        ["008", "Bank Mandiri", "1230009876543", "Nurul Aini", str(net(shop_order)),
         f"CANTING-PAYOUT-{batch.id}-batik-nurul", "Batik Nurul"],
    ]


def test_the_csv_cannot_carry_a_spreadsheet_formula(db, admin):
    shop = factories.make_shop(name="=HYPERLINK(\"http://evil.test\",\"klik\")", slug="jahat")
    sell(shop, deliver=True)
    with_account(shop, holder_name="+cmd|' /C calc'!A0")
    other = factories.make_shop(name="@SUM(1+1)", slug="lain")
    sell(other, deliver=True)
    with_account(other, holder_name="-2+3")
    batch = payouts.create_payout_batch(admin)
    text = payouts.payout_batch_csv(admin, batch.id)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert {row[3] for row in rows} == {"'+cmd|' /C calc'!A0", "'-2+3"}
    assert {row[6] for row in rows} == {"'=HYPERLINK(\"http://evil.test\",\"klik\")", "'@SUM(1+1)"}


def test_marking_paid_writes_payout_entries_once_and_mails_the_seller(shop, admin, outbox):
    delivered = sell(shop, price=150_000, deliver=True)
    pending = sell(shop, price=60_000)
    with_account(shop)
    batch = payouts.create_payout_batch(admin)
    paid = payouts.mark_batch_paid(admin, batch.id)
    assert paid.status == "paid" and paid.paid_at is not None
    with pytest.raises(InvalidTransition, match="sudah ditandai lunas"):
        payouts.mark_batch_paid(admin, batch.id)  # the second click

    entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind == "payout")).all()
    assert [(e.shop_id, e.amount, e.payout_id, e.shop_order_id) for e in entries] == [
        (shop.id, -net(delivered), batch.payouts[0].id, None)]
    balance = ledger.shop_balance(shop.id)
    assert (balance.available, balance.pending, balance.paid_out) == (0, net(pending), net(delivered))
    assert balance.total == entries_sum(shop.id)
    assert not db.session.scalar(sa.select(Payout.is_open))

    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == shop.owner.email)).all()
    payout_mail = [m for m in mails if f"CANTING-PAYOUT-{batch.id}-batik-nurul" in m.body]
    assert len(payout_mail) == 1
    assert "•••• 7890" in payout_mail[0].body and "1234567890" not in payout_mail[0].body
    assert "Batik Nurul" in payout_mail[0].body


def test_after_a_payout_the_shop_can_be_paid_again_and_change_bank_details(shop, admin):
    sell(shop, deliver=True)
    with_account(shop)
    batch = payouts.create_payout_batch(admin)
    with pytest.raises(Conflict, match="sedang ditransfer oleh bank"):
        save_payout_account(shop.owner, bank_code="002", account_number="5555555555", holder_name="Nurul Aini")
    with_account(shop)  # saving the same details again is no change
    payouts.mark_batch_paid(admin, batch.id)
    with_account(shop, bank_code="002", account_number="5555555555")
    second = sell(shop, price=120_000, deliver=True)
    again = payouts.create_payout_batch(admin)
    assert [(p.amount, p.bank_code) for p in again.payouts] == [(net(second), "002")]


def test_a_refund_after_export_can_leave_a_negative_available_balance_that_the_sum_still_explains(shop, admin):
    shop_order = sell(shop, deliver=True)
    with_account(shop)
    batch = payouts.create_payout_batch(admin)
    db.session.add(LedgerEntry(shop_id=shop.id, kind="refund", amount=-10_000, shop_order_id=shop_order.id))
    db.session.commit()
    payouts.mark_batch_paid(admin, batch.id)
    balance = ledger.shop_balance(shop.id)
    assert balance.available == -10_000 == balance.total == entries_sum(shop.id)


def test_sum_of_entries_is_what_each_shop_is_owed_after_sales_deliveries_cancels_and_payouts(db, admin):
    a, b, c = (factories.make_shop() for _ in range(3))
    for s in (a, b, c):
        with_account(s)
    sell(a, price=210_000, deliver=True), sell(a, ship=True), sell(a, cancel=True)
    sell(b, price=85_555, deliver=True), sell(b, price=12_345)
    assert net(sell(c, price=5_000, deliver=True)) < 100_000
    batch = payouts.create_payout_batch(admin)
    payouts.mark_batch_paid(admin, batch.id)
    last = sell(a, price=75_000, deliver=True)
    owed_before = {s.id: ledger.shop_balance(s.id) for s in (a, b, c)}
    for s in (a, b, c):
        balance = owed_before[s.id]
        assert balance.total == entries_sum(s.id) == balance.available + balance.pending
    assert owed_before[a.id].available == net(last)  # the cancelled parcel was paid out with the delivered one
    assert owed_before[b.id].available == 0 and owed_before[c.id].paid_out == 0
