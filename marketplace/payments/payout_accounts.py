"""Where a seller's money goes: an account at an Indonesian bank, checked when entered.

Banks are known by their three-digit clearing code (kode bank), the code every Indonesian
transfer form and bulk-transfer file uses, so the payout CSV can name the bank without a lookup.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.catalog.models import Shop
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.payments.models import Payout, PayoutAccount


@dataclass(frozen=True)
class Bank:
    code: str  # the clearing code (kode bank)
    name: str


BANKS = {bank.code: bank for bank in (
    Bank("014", "BCA"),
    Bank("008", "Bank Mandiri"),
    Bank("009", "BNI"),
    Bank("002", "BRI"),
    Bank("451", "BSI (Bank Syariah Indonesia)"),
    Bank("022", "CIMB Niaga"),
    Bank("011", "Bank Danamon"),
    Bank("013", "Bank Permata"),
    Bank("200", "BTN"),
    Bank("028", "OCBC NISP"),
    Bank("016", "Maybank Indonesia"),
    Bank("019", "Panin Bank"),
    Bank("542", "Bank Jago"),
    Bank("535", "SeaBank"),
    Bank("113", "Bank Jateng"),
    Bank("114", "Bank Jatim"),
    Bank("111", "Bank DKI"),
    Bank("110", "bank bjb"),
    Bank("112", "BPD DIY"),
    Bank("129", "BPD Bali"),
)}

ACCOUNT_NUMBER_RE = re.compile(r"^[0-9]{6,20}$")
HOLDER_MIN, HOLDER_MAX = 3, 120


def bank_name(code: str) -> str:
    bank = BANKS.get(code)
    return bank.name if bank else code


def bank_choices() -> list[tuple[str, str]]:
    """(code, name) of every bank, by name, for a select."""
    return sorted(((bank.code, bank.name) for bank in BANKS.values()), key=lambda pair: pair[1].lower())


def mask(account_number: str) -> str:
    """Only the last four digits are ever shown after entry."""
    return "•••• " + account_number[-4:]


def own_shop(seller: User) -> Shop:
    """SELLER's shop. Raises NotFound when they have none."""
    shop = db.session.scalar(sa.select(Shop).where(Shop.owner_id == seller.id))
    if shop is None:
        raise NotFound(_("You have no shop yet."))
    return shop


def payout_account_of(shop_id: int) -> PayoutAccount | None:
    return db.session.scalar(sa.select(PayoutAccount).where(PayoutAccount.shop_id == shop_id))


def has_open_payout(shop_id: int) -> bool:
    """Whether a payout to SHOP_ID sits in a batch exported to the bank and not yet marked paid."""
    return db.session.scalar(sa.select(sa.exists().where(Payout.shop_id == shop_id, Payout.is_open)))


def _clean(bank_code, account_number, holder_name) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    bank_code = (bank_code or "").strip()
    if bank_code not in BANKS:
        errors["bank_code"] = [_("Choose your bank from the list.")]
    # People copy numbers with the bank's own grouping ("123-456 7890"): only digits count.
    account_number = re.sub(r"[\s\-]+", "", account_number or "")
    if not ACCOUNT_NUMBER_RE.match(account_number):
        errors["account_number"] = [_("Enter the account number: 6 to 20 digits (spaces and dashes are ignored).")]
    holder_name = " ".join((holder_name or "").split())
    if not HOLDER_MIN <= len(holder_name) <= HOLDER_MAX:
        errors["holder_name"] = [_("Enter the account holder's name as the bank shows it (%(min)d to %(max)d "
                                   "characters).", min=HOLDER_MIN, max=HOLDER_MAX)]
    if errors:
        field = next(iter(errors))
        raise ValidationFailed(errors[field][0], field=field if len(errors) == 1 else None, errors=errors)
    return bank_code, account_number, holder_name


def save_payout_account(seller: User, *, bank_code: str, account_number: str, holder_name: str) -> PayoutAccount:
    """Set or change the bank account SELLER's shop is paid out to.

    Raises NotFound (no shop), ValidationFailed (unknown bank, account number not 6 to 20
    digits, holder name too short or long; each error names its field), Conflict (a payout to
    the old account is in a batch sent to the bank and not yet marked paid).
    """
    shop = own_shop(seller)
    bank_code, account_number, holder_name = _clean(bank_code, account_number, holder_name)
    account = payout_account_of(shop.id)
    unchanged = account is not None and (account.bank_code, account.account_number, account.holder_name) == (
        bank_code, account_number, holder_name)
    if unchanged:
        return account
    if has_open_payout(shop.id):
        raise Conflict(_open_payout_message())
    if account is None:
        account = PayoutAccount(shop_id=shop.id)
        db.session.add(account)
    account.bank_code, account.account_number, account.holder_name = bank_code, account_number, holder_name
    try:
        db.session.flush()
        # Asked again after our write: a batch created since the first look has copied the old
        # details (on SQLite it committed before our write lock; on PostgreSQL our UPDATE waited
        # for its row lock), so this change must not stand. A batch after us copies the new ones.
        if has_open_payout(shop.id):
            db.session.rollback()
            raise Conflict(_open_payout_message())
        commit()
    except IntegrityError as error:  # the same seller saved twice at once: the first one stands
        db.session.rollback()
        raise Conflict(_("Your bank details were just changed elsewhere; reload the page and check them.")) from error
    return account


def _open_payout_message() -> str:
    return _("A payout to your current account is being transferred by the bank. You can change "
             "your bank details once it is marked paid.")
