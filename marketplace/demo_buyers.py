"""Who buys in the demo sales history (demo_sales.py): guests from every province of Indonesia,
weighted roughly by how many people shop online there, some coming back for more, a few from
abroad, and now and then one of the demo accounts.

Addresses go through the checkout's own clean_address, so they are stored as a checkout
stores them (phones as +62…, province names as in core/regions.py).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from marketplace.orders.address import HOME_COUNTRY, clean_address

# Per province: (regency or city, postal code), and the province's weight among buyers.
PLACES = {
    "Aceh": ([("Kota Banda Aceh", "23111"), ("Kota Lhokseumawe", "24351")], 1.0),
    "Sumatera Utara": ([("Kota Medan", "20112"), ("Kota Pematangsiantar", "21111")], 4.0),
    "Sumatera Barat": ([("Kota Padang", "25111"), ("Kota Bukittinggi", "26111")], 1.5),
    "Riau": ([("Kota Pekanbaru", "28111"), ("Kota Dumai", "28811")], 2.0),
    "Kepulauan Riau": ([("Kota Batam", "29411"), ("Kota Tanjungpinang", "29111")], 1.5),
    "Jambi": ([("Kota Jambi", "36111")], 0.9),
    "Bengkulu": ([("Kota Bengkulu", "38211")], 0.5),
    "Sumatera Selatan": ([("Kota Palembang", "30111"), ("Kota Lubuklinggau", "31611"),
                          ("Kota Prabumulih", "31111"), ("Kabupaten Muara Enim", "31311")], 3.0),
    "Kepulauan Bangka Belitung": ([("Kota Pangkalpinang", "33111")], 0.5),
    "Lampung": ([("Kota Bandar Lampung", "35111"), ("Kota Metro", "34111")], 2.0),
    "Banten": ([("Kota Tangerang", "15111"), ("Kota Tangerang Selatan", "15310"), ("Kota Serang", "42111")], 6.0),
    "DKI Jakarta": ([("Kota Jakarta Selatan", "12110"), ("Kota Jakarta Pusat", "10110"),
                     ("Kota Jakarta Barat", "11110"), ("Kota Jakarta Timur", "13110"),
                     ("Kota Jakarta Utara", "14110")], 14.0),
    "Jawa Barat": ([("Kota Bandung", "40111"), ("Kota Bekasi", "17111"), ("Kota Bogor", "16111"),
                    ("Kota Depok", "16411"), ("Kota Cirebon", "45111")], 16.0),
    "Jawa Tengah": ([("Kota Semarang", "50111"), ("Kota Surakarta", "57111"), ("Kota Pekalongan", "51111")], 8.0),
    "DI Yogyakarta": ([("Kota Yogyakarta", "55111"), ("Kabupaten Sleman", "55511")], 3.0),
    "Jawa Timur": ([("Kota Surabaya", "60111"), ("Kota Malang", "65111"), ("Kabupaten Sidoarjo", "61211")], 10.0),
    "Bali": ([("Kota Denpasar", "80111"), ("Kabupaten Badung", "80351")], 3.0),
    "Nusa Tenggara Barat": ([("Kota Mataram", "83111")], 1.0),
    "Nusa Tenggara Timur": ([("Kota Kupang", "85111")], 0.6),
    "Kalimantan Barat": ([("Kota Pontianak", "78111")], 1.2),
    "Kalimantan Tengah": ([("Kota Palangka Raya", "73111")], 0.6),
    "Kalimantan Selatan": ([("Kota Banjarmasin", "70111")], 1.2),
    "Kalimantan Timur": ([("Kota Samarinda", "75111"), ("Kota Balikpapan", "76111"), ("Kota Bontang", "75311")], 2.5),
    "Kalimantan Utara": ([("Kota Tarakan", "77111")], 0.3),
    "Sulawesi Utara": ([("Kota Manado", "95111")], 0.9),
    "Gorontalo": ([("Kota Gorontalo", "96111")], 0.3),
    "Sulawesi Tengah": ([("Kota Palu", "94111")], 0.6),
    "Sulawesi Barat": ([("Kabupaten Mamuju", "91511")], 0.2),
    "Sulawesi Selatan": ([("Kota Makassar", "90111"), ("Kota Parepare", "91111")], 3.0),
    "Sulawesi Tenggara": ([("Kota Kendari", "93111")], 0.5),
    "Maluku": ([("Kota Ambon", "97111")], 0.4),
    "Maluku Utara": ([("Kota Ternate", "97711")], 0.2),
    "Papua": ([("Kota Jayapura", "99111")], 0.4),
    "Papua Barat": ([("Kabupaten Manokwari", "98311")], 0.2),
    "Papua Barat Daya": ([("Kota Sorong", "98411")], 0.2),
    "Papua Tengah": ([("Kabupaten Nabire", "98811")], 0.1),
    "Papua Pegunungan": ([("Kabupaten Jayawijaya", "99511")], 0.1),
    "Papua Selatan": ([("Kabupaten Merauke", "99611")], 0.1),
}

# Buyers abroad: (country, city, postal code, street, phone prefix, names).
ABROAD = [
    ("NL", "Amsterdam", "1012 AB", "Damrak 70", "+31 6", ["Sanne Jansen", "Lieke de Boer", "Ruud Bakker"]),
    ("MY", "Kuala Lumpur", "50450", "Jalan Ampang 118", "+60 12", ["Nurul Huda Ismail", "Aisyah Rahman"]),
    ("SG", "Singapore", "018956", "10 Marina Boulevard", "+65 8", ["Tan Wei Ling", "Siti Aminah Yusof"]),
    ("JP", "Tokyo", "150-0001", "1-2-3 Jingumae, Shibuya-ku", "+81 90", ["Yuki Tanaka", "Haruka Sato"]),
    ("AU", "Melbourne", "3000", "220 Collins Street", "+61 4", ["Olivia Smith", "Jack Nguyen"]),
    ("US", "San Francisco", "94110", "2850 Mission Street", "+1 415", ["Emily Carter", "Daniel Kim"]),
    ("DE", "Berlin", "10115", "Invalidenstraße 43", "+49 151", ["Anna Schneider", "Lukas Weber"]),
    ("GB", "London", "EC1A 1BB", "12 Aldersgate Street", "+44 7700", ["Charlotte Brown", "Oliver Wright"]),
]
FIRST_NAMES = ["Ayu", "Bayu", "Citra", "Dewi", "Eka", "Fitri", "Gilang", "Hana", "Indah", "Joko", "Kartika",
               "Lestari", "Mega", "Nanda", "Oktaviani", "Putri", "Rizky", "Sinta", "Taufik", "Utami", "Vina",
               "Wahyu", "Yusuf", "Zahra", "Ratna", "Intan", "Hendra", "Rina", "Agung", "Nur"]
LAST_NAMES = ["Saputra", "Wijaya", "Lestari", "Hidayat", "Kusuma", "Pratama", "Permata", "Siregar",
              "Nasution", "Wibowo", "Santoso", "Hakim", "Simanjuntak", "Rahmawati", "Setiawan", "Gunawan",
              "Purnama", "Halim", "Sitompul", "Manurung", "Pangaribuan", "Tanjung", "Harahap", "Suryadi"]
STREETS = ["Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Gajah Mada", "Jl. Pemuda", "Jl. Ahmad Yani",
           "Jl. Pahlawan", "Jl. Veteran", "Jl. Cendrawasih", "Jl. Melati", "Jl. Kenanga", "Jl. Flamboyan",
           "Jl. Hasanuddin", "Jl. Imam Bonjol", "Jl. Teuku Umar", "Jl. Kartini"]

ABROAD_SHARE = 0.08      # of the orders of a shop that ships abroad
HOME_PROVINCE_SHARE = 0.18  # buyers in the artisan's own province (a third of them in the same city)
RETURNING_SHARE = 0.25   # orders from a buyer who bought before
ACCOUNT_SHARE = 0.03     # orders from one of the demo's buyer accounts


@dataclass(frozen=True)
class Buyer:
    user_id: int | None  # None: a guest
    email: str
    locale: str
    address: dict  # as clean_address returns it

    @property
    def is_abroad(self) -> bool:
        return self.address["country"] != HOME_COUNTRY


class Buyers:
    """Draws the buyer of each order; remembers them, so some come back."""

    def __init__(self, rng: random.Random, accounts: list[Buyer] = (), *, returning: float = RETURNING_SHARE):
        self.rng, self.returning = rng, returning
        self.seen: dict[str, list[Buyer]] = {}  # province, or country abroad -> buyers so far
        self.accounts = list(accounts)
        self.provinces = list(PLACES)
        self.weights = [weight for _places, weight in PLACES.values()]

    def pick(self, shop, *, ships_abroad: bool) -> Buyer:
        """The buyer of an order from SHOP (anything with province and city), from abroad only
        when it ships there."""
        rng = self.rng
        accounts = [a for a in self.accounts if ships_abroad or not a.is_abroad]
        if accounts and rng.random() < ACCOUNT_SHARE:
            return rng.choice(accounts)
        if ships_abroad and rng.random() < ABROAD_SHARE:
            where = rng.choice(ABROAD)[0]
        elif rng.random() < HOME_PROVINCE_SHARE:
            where = shop.province
        else:
            where = shop.province
            while where == shop.province:
                where = rng.choices(self.provinces, self.weights)[0]
        earlier = self.seen.setdefault(where, [])
        if earlier and rng.random() < self.returning:
            return rng.choice(earlier)
        buyer = self._new_abroad(where) if where not in PLACES else self._new_in(where, shop)
        earlier.append(buyer)
        return buyer

    def _new_in(self, province: str, shop) -> Buyer:
        rng = self.rng
        places = PLACES[province][0]
        city, postal_code = rng.choice(places)
        if province == shop.province and rng.random() < 0.35:
            city = shop.city
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        address = clean_address({
            "recipient_name": f"{first} {last}", "phone": f"08{rng.randint(11, 59)}{rng.randint(10**7, 10**8 - 1)}",
            "street": f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}", "city": city, "province": province,
            "postal_code": postal_code, "country": HOME_COUNTRY})
        return Buyer(None, f"{first}.{last}{rng.randint(1, 999)}@example.com".lower(), "id", address)

    def _new_abroad(self, country: str) -> Buyer:
        rng = self.rng
        _code, city, postal_code, street, phone, names = next(a for a in ABROAD if a[0] == country)
        name = rng.choice(names)
        address = clean_address({
            "recipient_name": name, "phone": f"{phone} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            "street": street, "city": city, "province": "", "postal_code": postal_code, "country": country})
        email = f"{name.split()[0]}.{rng.randint(1, 9999)}@example.com".lower()
        return Buyer(None, email, "en", address)
