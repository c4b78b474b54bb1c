"""Shared fixtures. Real services are used when the environment names them (see DOMI_REQUIRE_SERVICES)."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings

from tests import factories


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process after commit in every test, also when REDIS_URL names a broker (the services run),
    except in tests marked real_worker, which start a Celery worker of their own."""
    from domi.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("real_worker") is None
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _broker_not_known_down():
    """An outage one test simulates is not carried into the next (domi/broker.py remembers it a few seconds)."""
    from domi import broker

    broker.reset()
    yield
    broker.reset()


@pytest.fixture(autouse=True)
def _users_read_afresh():
    """Each test's API calls read their users from its own database: ids come back after a rollback."""
    from domi.accounts.authentication import recent_users

    recent_users.clear()
    yield
    recent_users.clear()


@pytest.fixture(autouse=True, scope="session")
def _clean_test_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def org(db):
    return factories.OrganizationFactory(name="Acme Homes")


@pytest.fixture
def other_org(db):
    return factories.OrganizationFactory(name="Rival Lettings")


@pytest.fixture
def unit(org):
    return factories.UnitFactory(property=factories.PropertyFactory(organization=org))


@pytest.fixture
def tenant(unit):
    return factories.TenancyFactory(unit=unit).tenant


@pytest.fixture
def staff(org):
    return factories.StaffFactory(organization=org)


@pytest.fixture
def other_staff(other_org):
    return factories.StaffFactory(organization=other_org)


@pytest.fixture
def contractor(org):
    return factories.ContractorFactory(organization=org, trades=["plumbing"])


@pytest.fixture
def superuser(db):
    return factories.SuperuserFactory()
