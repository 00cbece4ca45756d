"""Small factories that write straight to the database (rules are tested through services)."""
from __future__ import annotations

import itertools

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.programs.models import Organization

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_hashes: dict[str, str] = {}


def _password_hash(password: str) -> str:
    """Scrypt takes ~0.1 s; hash each test password once per session."""
    if password not in _hashes:
        probe = User()
        probe.set_password(password)
        _hashes[password] = probe.password_hash
    return _hashes[password]


def make_organization(**overrides) -> Organization:
    n = next(_seq)
    values = {"name": f"Dinas Perindustrian {n}", "slug": f"dinas-{n}", "kind": "government_office",
              "province": "Sumatera Selatan"}
    values.update(overrides)
    organization = Organization(**values)
    db.session.add(organization)
    db.session.commit()
    return organization


def make_user(email: str | None = None, roles=("buyer",), password: str = PASSWORD,
              organization: Organization | None = None, name: str = "Test User", locale: str = "id") -> User:
    user = User(email=(email or f"user{next(_seq)}@example.test").lower(), name=name, locale=locale)
    user.password_hash = _password_hash(password)
    for role in roles:
        user.add_role(role)
    user.organization = organization
    db.session.add(user)
    db.session.commit()
    return user
