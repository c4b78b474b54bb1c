"""Webhook URLs cannot make the server call its own network (SSRF): when saved, and again when sent."""

from __future__ import annotations

import socket
import uuid
from http.server import BaseHTTPRequestHandler

import pytest
from django.urls import reverse

from contractors import webhooks
from contractors.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from domi import outbound
from tests.support import http_server

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://127.0.0.1:6379/",
    "http://2130706433/hook",  # 127.0.0.1 written as one number
    "gopher://127.0.0.1:6379/_INFO",
    "file:///etc/passwd",
]


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(dict(self.headers))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"SECRET-INTERNAL-ANSWER " * 10)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    with http_server(_Receiver) as server:
        yield server


def _delivery(endpoint):
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event="job.offered", payload={"event": "job.offered"}
    )


def _resolving_to(monkeypatch, mapping: dict[str, str]):
    real = socket.getaddrinfo
    calls = []

    def fake(host, port, *args, **kwargs):
        calls.append(host)
        if host in mapping:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (mapping[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake)
    return calls


@pytest.mark.parametrize("url", REFUSED)
def test_a_url_to_a_private_address_is_refused(url):
    with pytest.raises(outbound.AddressRefused):
        outbound.resolve(url)


def test_a_public_address_is_allowed():
    assert outbound.resolve("https://93.184.215.14/hook").address == "93.184.215.14"
    assert outbound.resolve("https://[2606:4700::1111]/hook").address == "2606:4700::1111"


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    def fake(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake)
    with pytest.raises(outbound.AddressRefused, match=r"10\.1\.2\.3"):
        outbound.resolve("https://split.example/hook")


def test_only_https_where_required(settings):
    settings.DOMI_OUTBOUND_REQUIRE_HTTPS = True
    with pytest.raises(outbound.AddressRefused, match="https"):
        outbound.resolve("http://93.184.215.14/hook")
    assert outbound.resolve("https://93.184.215.14/hook").scheme == "https"


def test_production_requires_https():
    from tests.domi.test_settings import GOOD_KEY, _run

    script = "from django.conf import settings; print(settings.DOMI_OUTBOUND_REQUIRE_HTTPS)"
    result = _run({"SECRET_KEY": GOOD_KEY}, "shell", "-c", script)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "http://169.254.169.254/", "http://[::1]/x"])
def test_a_manager_cannot_save_an_internal_webhook_url_in_the_admin(client, staff, url):
    client.force_login(staff)
    response = client.post(reverse("admin:contractors_webhookendpoint_add"), {"url": url, "is_active": "on"})
    assert response.status_code == 200  # the form again, with the error
    assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_name_that_turns_private_after_saving_is_refused_at_send_time(monkeypatch, org, receiver):
    # Saved while it resolved to a public address; now (rebinding) it points at the server's own loopback.
    endpoint = WebhookEndpoint.objects.create(organization=org, url=f"http://rebind.example:{receiver.server_port}/")
    _resolving_to(monkeypatch, {"rebind.example": "127.0.0.1"})
    delivery = _delivery(endpoint)

    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert _Receiver.received == []
    assert delivery.status == WebhookDelivery.Status.FAILED  # refused is final: no retries
    assert attempt.status_code is None and "not a public address" in attempt.error


@pytest.mark.django_db
def test_the_connection_goes_to_the_checked_address_and_the_reply_body_is_not_kept(
    monkeypatch, org, receiver, settings, client, staff
):
    settings.DOMI_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the test's receiver stands in for a public host
    calls = _resolving_to(monkeypatch, {"hooks.example": "127.0.0.1"})
    endpoint = WebhookEndpoint.objects.create(organization=org, url=f"http://hooks.example:{receiver.server_port}/in")
    delivery = _delivery(endpoint)

    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)

    # The name resolved once, and the connection made to that answer (a numeric address, no DNS): nothing
    # for a rebinding name to change.
    assert calls.count("hooks.example") == 1 and set(calls) <= {"hooks.example", "127.0.0.1"}
    assert _Receiver.received[0]["Host"] == f"hooks.example:{receiver.server_port}"
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code == 200 and attempt.response_bytes == len(b"SECRET-INTERNAL-ANSWER " * 10)
    client.force_login(staff)
    page = client.get(reverse("admin:contractors_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "SECRET-INTERNAL-ANSWER" not in page


@pytest.mark.django_db
def test_redirects_are_not_followed(monkeypatch, org, settings):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args):
            pass

    with http_server(Redirect) as server:
        settings.DOMI_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
        reply = outbound.post(f"http://127.0.0.1:{server.server_port}/", body=b"{}", headers={}, timeout=5)
    assert reply.status == 307
