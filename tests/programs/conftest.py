"""Fixtures for training programs, graduations and rosters."""
from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import login


@pytest.fixture
def client_for(app):
    """A browser signed in as USER (factories.make_user & co.)."""

    def sign_in(user):
        client = app.test_client()
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def api(app):
    """An API client; pass `user=` to authenticate with a fresh personal token."""

    class ApiClient:
        def __init__(self):
            self.http = app.test_client()

        def _headers(self, user, headers):
            headers = dict(headers or {})
            if user is not None:
                headers.update(factories.bearer(user))
            return headers

        def get(self, path, user=None, **kwargs):
            return self.http.get(path, headers=self._headers(user, kwargs.pop("headers", None)), **kwargs)

        def post(self, path, user=None, **kwargs):
            return self.http.post(path, headers=self._headers(user, kwargs.pop("headers", None)), **kwargs)

        def patch(self, path, user=None, **kwargs):
            return self.http.patch(path, headers=self._headers(user, kwargs.pop("headers", None)), **kwargs)

        def delete(self, path, user=None, **kwargs):
            return self.http.delete(path, headers=self._headers(user, kwargs.pop("headers", None)), **kwargs)

    return ApiClient()


@pytest.fixture
def organization():
    return factories.make_organization(name="Dinas Perindustrian Sumatera Selatan")


@pytest.fixture
def officer(organization):
    return factories.make_user(email="petugas@disperin.test", roles=["officer"], organization=organization,
                               name="Petugas Disperin", locale="en")


@pytest.fixture
def program(organization):
    return factories.make_program(organization, slug="bimtek-jumputan-2021",
                                  title="Bimtek Batik Jumputan Palembang")


@pytest.fixture
def prison_program(organization):
    return factories.make_program(organization, held_in_correctional_facility=True,
                                  slug="pelatihan-batik-lapas-2021",
                                  title="Pelatihan Batik Lapas Perempuan Palembang")


@pytest.fixture
def artisan():
    return factories.make_artisan(email="sari@example.com", name="Sari Wulandari", locale="en")


@pytest.fixture
def shop(artisan):
    return factories.make_shop(artisan, name="Batik Sari Jumputan", slug="batik-sari")
