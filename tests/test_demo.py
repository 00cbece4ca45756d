"""`flask seed-demo` loads the founding programs once, however often it runs."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.demo import DEMO_PASSWORD
from marketplace.catalog.models import Product, ProductImage, Shop
from marketplace.programs.models import Graduation, Organization, TrainingProgram
from tests.conftest import login


def counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Organization, TrainingProgram, User, Shop, Graduation, Product, ProductImage)}


def seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def program(db, slug) -> TrainingProgram:
    return db.session.scalars(sa.select(TrainingProgram).filter_by(slug=slug)).one()


def test_seeding_twice_creates_nothing_the_second_time(app, db):
    first = seed(app)
    assert "Created: 4 organizations, 4 programs, 11 users" in first
    after_first = counts(db)
    assert after_first == {"Organization": 4, "TrainingProgram": 4, "User": 11, "Shop": 5, "Graduation": 6,
                           "Product": 60, "ProductImage": 60}

    second = seed(app)
    assert "Created: 0 organizations, 0 programs, 0 users" in second
    assert counts(db) == after_first

    # The printed demo logins work (the password was not reset by the second run).
    assert "admin@canting.test" in second and DEMO_PASSWORD in second
    client = app.test_client()
    assert login(client, "admin@canting.test", DEMO_PASSWORD).status_code == 302
    assert client.get("/admin/organizations").status_code == 200


def test_the_seed_programs_are_the_reported_ones(app, db):
    seed(app)

    cipinang = program(db, "wub-ikm-batik-cipinang-2024")
    assert cipinang.organization.slug == "kemenperin-ikma"
    assert cipinang.held_in_correctional_facility is True
    assert (cipinang.start_date, cipinang.end_date) == (date(2024, 9, 3), date(2024, 9, 7))
    assert cipinang.participant_count == 25
    assert cipinang.venue == "Lembaga Pemasyarakatan Kelas I Cipinang"
    assert sorted(cipinang.techniques) == ["cap", "tulis"]

    muara_enim = program(db, "bimtek-diversifikasi-sandang-muara-enim-2021")
    assert muara_enim.organization.slug == "disperin-sumsel"
    assert muara_enim.kind == "bimtek"
    assert (muara_enim.start_date, muara_enim.end_date) == (date(2021, 6, 3), date(2021, 6, 3))
    assert muara_enim.participant_count == 15
    assert muara_enim.venue.startswith("Rumah Batik Serasan")
    assert muara_enim.held_in_correctional_facility is False

    kaltim = program(db, "coaching-pengembangan-motif-batik-kaltim-2022")
    assert kaltim.organization.slug == "bi-kaltim"
    assert kaltim.organization.kind == "bank"
    assert kaltim.start_date == date(2022, 9, 27)
    assert kaltim.city == "Kota Samarinda"
    assert kaltim.participant_count == 14

    banyuasin = program(db, "pelatihan-batik-banyuasin-kolaborasi-jumputan-2024")
    assert banyuasin.organization.slug == "dekranasda-banyuasin"
    assert banyuasin.start_date == date(2024, 2, 27)
    assert banyuasin.venue.startswith("Galeri Wong Kito")
    assert banyuasin.city == "Kota Palembang"
    assert banyuasin.techniques == ["jumputan"]

    # Visitors see them on the program pages, dated the Indonesian way.
    visitor = app.test_client()
    html = visitor.get("/programs/bimtek-diversifikasi-sandang-muara-enim-2021").get_data(as_text=True)
    assert "Bimbingan Teknis Diversifikasi Sandang bagi IKM Batik Muara Enim" in html
    assert "3 Juni 2021" in html
    assert "27 September 2022" in visitor.get("/programs/coaching-pengembangan-motif-batik-kaltim-2022").get_data(as_text=True)


def test_the_demo_officer_of_the_ministry_sees_the_cipinang_program(app):
    seed(app)
    client = app.test_client()
    assert login(client, "officer.ikma@canting.test", DEMO_PASSWORD).status_code == 302
    html = client.get("/organization").get_data(as_text=True)
    assert "Penumbuhan dan Pengembangan Wirausaha Baru IKM Batik" in html
    assert "Coaching Program Pengembangan Motif Batik Kaltim" not in html


def test_demo_cipinang_graduates_one_opted_in_one_not(app, db, client):
    seed(app)
    cipinang = program(db, "wub-ikm-batik-cipinang-2024")
    graduations = db.session.scalars(sa.select(Graduation).filter_by(program_id=cipinang.id)).all()
    assert {(g.artisan.email, g.status, g.public) for g in graduations} == {
        ("sari@canting.test", "verified", True),
        ("rahmat@canting.test", "verified", False),
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Graduation).filter_by(status="claimed")) >= 1

    shown = client.get("/shops/batik-sari").get_data(as_text=True)
    assert cipinang.title in shown
    hidden = client.get("/shops/rahmat-batik-tulis").get_data(as_text=True)
    assert cipinang.title not in hidden
    assert "lapas" not in hidden.lower() and "pemasyarakatan" not in hidden.lower()
    program_page = client.get("/programs/wub-ikm-batik-cipinang-2024/shops").get_data(as_text=True)
    assert "Batik Sari" in program_page and "Rahmat Batik Tulis" not in program_page


def test_seed_demo_refuses_to_run_in_production(make_app, db):
    """Finding 11: seed-demo created admin@canting.test with the published password in production."""
    import secrets

    production = make_app("production", SECRET_KEY=secrets.token_urlsafe(36),
                          PUBLIC_BASE_URL="https://canting.example")
    with production.app_context():  # the command runs in the current app, as `flask` would
        result = production.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "Refusing to load demo data in production" in result.output
    assert "Traceback" not in result.output
    db.session.expire_all()
    assert set(counts(db).values()) == {0}
