"""Names of the codes the reports group by, in the reader's language."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from marketplace.catalog.models import CATEGORY_LABELS
from marketplace.programs.models import TECHNIQUE_LABELS

ISLAND_GROUP_LABELS = {
    "sumatera": _l("Sumatra"), "jawa": _l("Java"), "bali_nusa_tenggara": _l("Bali and Nusa Tenggara"),
    "kalimantan": _l("Kalimantan"), "sulawesi": _l("Sulawesi"), "maluku": _l("Maluku"), "papua": _l("Papua"),
    "other": _l("Province not recognised"),
}


def island_group(code: str) -> str:
    return str(ISLAND_GROUP_LABELS.get(code, code))


def technique(code: str) -> str:
    return str(TECHNIQUE_LABELS.get(code, code))


def category(code: str) -> str:
    return str(CATEGORY_LABELS.get(code, code))


def country(code: str) -> str:
    return get_locale().territories.get(code, code)
