import pytest
from django.db import connection
from django.db.utils import OperationalError

from tests.support import require_service


def test_liveness_answers_without_the_database(client):
    # No django_db mark: any query here raises, so passing proves the database is not touched.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readiness_names_the_failing_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert "connection refused" in body["checks"]["database"]


@pytest.mark.django_db
def test_readiness_checks_redis_cache_and_broker_when_configured(client):
    require_service("redis")
    body = client.get("/readyz").json()
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_readiness_names_an_unreachable_broker(client, settings):
    require_service("redis")
    from domi.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert "broker" in response.json()["failing"]


def test_health_endpoints_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
