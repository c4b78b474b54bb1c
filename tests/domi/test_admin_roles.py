"""Roles in the back office's user form: no self-promotion, only admins grant admin, every change audited."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from domi.accounts import services
from domi.accounts.models import User
from domi.errors import NotPermitted
from tests import factories


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def post_change(client, user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "language": user.language,
        "role": user.role,
        "is_active": "on",
        **changes,
    }
    return client.post(change_url(user), data)


def role_of(user) -> str:
    return User.objects.get(pk=user.pk).role


@pytest.mark.django_db
class TestManagers:
    def test_a_manager_cannot_make_themselves_admin(self, client, staff):
        client.force_login(staff)
        post_change(client, staff, role="admin")
        assert role_of(staff) == "manager"
        assert not User.objects.get(pk=staff.pk).is_superuser

    def test_a_manager_cannot_make_another_manager_admin(self, client, staff, org):
        other = factories.StaffFactory(organization=org)
        client.force_login(staff)
        response = post_change(client, other, role="admin")
        assert response.status_code == 200  # the form again, with the error
        assert role_of(other) == "manager"

    def test_a_manager_is_not_offered_the_admin_role(self, client, staff, org):
        other = factories.StaffFactory(organization=org)
        client.force_login(staff)
        form = client.get(change_url(other)).context["adminform"].form
        assert "admin" not in {value for value, _ in form.fields["role"].choices}

    def test_a_manager_cannot_create_an_admin(self, client, staff):
        client.force_login(staff)
        response = client.post(
            reverse("admin:accounts_user_add"),
            {"email": "boss@example.com", "role": "admin", "password1": "x9!Kq2#vL0pz", "password2": "x9!Kq2#vL0pz"},
        )
        assert response.status_code == 200
        assert not User.objects.filter(email="boss@example.com").exists()

    def test_a_manager_cannot_edit_an_admin(self, client, staff, org):
        boss = factories.OrgAdminFactory(organization=org)
        client.force_login(staff)
        post_change(client, boss, email="taken-over@example.com", role="manager")
        boss.refresh_from_db()
        assert boss.email != "taken-over@example.com" and boss.role == "admin"


@pytest.mark.django_db
class TestAdmins:
    def test_an_admin_grants_admin_and_the_change_is_audited(self, client, org):
        boss = factories.OrgAdminFactory(organization=org)
        manager = factories.StaffFactory(organization=org)
        client.force_login(boss)
        response = post_change(client, manager, role="admin")
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert role_of(manager) == "admin"
        (entry,) = [e for e in LogEntry.objects.get_for_object(manager) if e.action == LogEntry.Action.UPDATE]
        assert entry.actor == boss
        assert entry.changes_dict["role"] == ["manager", "admin"]

    def test_an_admin_cannot_change_their_own_role(self, client, org):
        boss = factories.OrgAdminFactory(organization=org)
        client.force_login(boss)
        post_change(client, boss, role="manager")
        assert role_of(boss) == "admin"

    @pytest.mark.parametrize("factory", [factories.TenantFactory, factories.ContractorUserFactory])
    def test_a_tenant_or_contractor_is_never_made_staff(self, client, org, factory):
        boss = factories.OrgAdminFactory(organization=org)
        person = factory(organization=org)
        client.force_login(boss)
        for role in ("manager", "admin"):
            response = post_change(client, person, role=role)
            assert response.status_code == 200
            person.refresh_from_db()
            assert person.role != role and not person.is_staff


@pytest.mark.django_db
class TestTheService:
    def test_the_rules(self, org):
        boss = factories.OrgAdminFactory(organization=org)
        manager = factories.StaffFactory(organization=org)
        tenant = factories.TenantFactory(organization=org)
        with pytest.raises(NotPermitted, match="own role"):
            services.user_role_change(user=manager, role="admin", by=manager)
        with pytest.raises(NotPermitted, match="Only an organization admin"):
            services.user_role_change(user=factories.StaffFactory(organization=org), role="admin", by=manager)
        with pytest.raises(NotPermitted, match="cannot be made staff"):
            services.user_role_change(user=tenant, role="manager", by=boss)

        promoted = services.user_role_change(user=manager, role="admin", by=boss)

        assert promoted.role == "admin" and promoted.is_staff
