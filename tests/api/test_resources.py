"""Properties, units, tenancies and the contractor roster through the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contractors.models import Contractor
from properties.models import Property, Tenancy
from tests import factories

from .test_auth import assert_error


@pytest.mark.django_db
class TestProperties:
    def test_staff_add_a_property_to_their_organization(self, api, staff):
        api.force_authenticate(staff)
        response = api.post(
            "/api/v1/properties/",
            {"name": "Garden Court", "address_line1": "1 Garden Way", "city": "Oakland", "postal_code": "94601"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert Property.objects.get(pk=response.json()["id"]).organization == staff.organization

    def test_the_superuser_says_which_organization(self, api, superuser, org):
        api.force_authenticate(superuser)
        body = {"name": "Garden Court", "address_line1": "1 Garden Way", "city": "Oakland", "postal_code": "94601"}
        error = assert_error(api.post("/api/v1/properties/", body, format="json"), 400, "validation_error")
        assert "organization" in error["fields"]
        response = api.post("/api/v1/properties/", {**body, "organization": org.pk}, format="json")
        assert response.status_code == 201 and response.json()["organization"] == org.pk

    def test_a_duplicate_name_is_400(self, api, staff, unit):
        api.force_authenticate(staff)
        body = {"name": unit.property.name, "address_line1": "x", "city": "y", "postal_code": "1"}
        assert_error(api.post("/api/v1/properties/", body, format="json"), 400, "validation_error")

    def test_staff_edit_a_property(self, api, staff, unit):
        api.force_authenticate(staff)
        url = f"/api/v1/properties/{unit.property_id}/"
        response = api.patch(url, {"approval_limit": "900.00", "city": "Berkeley"}, format="json")
        assert response.status_code == 200
        unit.property.refresh_from_db()
        assert (unit.property.approval_limit, unit.property.city) == (Decimal("900.00"), "Berkeley")
        assert_error(api.patch(url, {"approval_limit": "-1"}, format="json"), 400, "validation_error")

    def test_search_and_ordering(self, api, staff, org):
        for name, city in [("Alpha", "Oakland"), ("Bravo", "Berkeley"), ("Charlie", "Oakland")]:
            factories.PropertyFactory(organization=org, name=name, city=city)
        factories.PropertyFactory(name="Oakland elsewhere", city="Oakland")  # another organization
        api.force_authenticate(staff)
        response = api.get("/api/v1/properties/?search=oakland&ordering=-name")
        assert [p["name"] for p in response.json()["results"]] == ["Charlie", "Alpha"]


@pytest.mark.django_db
class TestUnitsAndTenancies:
    def test_a_tenant_lists_the_units_they_rent_now(self, api, tenant, unit):
        past = factories.UnitFactory(property=unit.property)
        factories.TenancyFactory(
            tenant=tenant,
            unit=past,
            start_date=timezone.localdate() - timedelta(days=900),
            end_date=timezone.localdate() - timedelta(days=200),
        )
        factories.UnitFactory(property=unit.property)  # someone else's
        api.force_authenticate(tenant)

        assert [u["id"] for u in api.get("/api/v1/units/").json()["results"]] == [unit.pk]
        assert len(api.get("/api/v1/tenancies/").json()["results"]) == 2
        assert [t["unit"]["id"] for t in api.get("/api/v1/tenancies/?active=true").json()["results"]] == [unit.pk]

    def test_staff_add_and_relabel_units(self, api, staff, unit):
        api.force_authenticate(staff)
        response = api.post("/api/v1/units/", {"property": unit.property_id, "label": "9Z", "floor": 9}, format="json")
        assert response.status_code == 201 and response.json()["property"]["id"] == unit.property_id
        duplicate = api.post("/api/v1/units/", {"property": unit.property_id, "label": "9Z"}, format="json")
        assert_error(duplicate, 400, "validation_error")
        relabelled = api.patch(f"/api/v1/units/{response.json()['id']}/", {"label": "9Y"}, format="json")
        assert relabelled.json()["label"] == "9Y"

    def test_staff_move_a_tenant_in_and_out(self, api, staff, unit, org):
        newcomer = factories.TenantFactory(organization=org)
        api.force_authenticate(staff)
        start = timezone.localdate()

        response = api.post(
            "/api/v1/tenancies/", {"tenant": newcomer.pk, "unit": unit.pk, "start_date": str(start)}, format="json"
        )

        assert response.status_code == 201, response.content
        assert response.json()["is_active"] is True
        url = f"/api/v1/tenancies/{response.json()['id']}/"
        error = assert_error(
            api.patch(url, {"end_date": str(start - timedelta(days=1))}, format="json"), 400, "validation_error"
        )
        assert "end_date" in error["fields"]
        assert api.patch(url, {"end_date": str(start + timedelta(days=30))}, format="json").status_code == 200
        assert Tenancy.objects.get(pk=response.json()["id"]).end_date == start + timedelta(days=30)

    def test_pages_of_rows_that_tie_never_overlap(self, api, staff, unit):
        day = timezone.localdate()
        for _ in range(7):
            factories.TenancyFactory(unit=factories.UnitFactory(property=unit.property), start_date=day)
        api.force_authenticate(staff)
        seen = []
        url = "/api/v1/tenancies/?page_size=3"
        while url:
            body = api.get(url).json()
            seen += [t["id"] for t in body["results"]]
            url = body["next"]
        assert len(seen) == len(set(seen)) == Tenancy.objects.count()

    def test_a_tenant_of_another_organization_cannot_be_moved_in(self, api, staff, unit, other_org):
        outsider = factories.TenantFactory(organization=other_org)
        api.force_authenticate(staff)
        response = api.post(
            "/api/v1/tenancies/",
            {"tenant": outsider.pk, "unit": unit.pk, "start_date": str(timezone.localdate())},
            format="json",
        )
        assert "tenant" in assert_error(response, 400, "validation_error")["fields"]


@pytest.mark.django_db
class TestContractors:
    def test_staff_add_a_contractor_with_trades_and_areas(self, api, staff):
        login = factories.ContractorUserFactory(organization=staff.organization)
        api.force_authenticate(staff)

        response = api.post(
            "/api/v1/contractors/",
            {
                "company_name": "Roof Ltd",
                "trades": ["structural", "exterior"],
                "postal_prefixes": ["941", "946"],
                "hourly_rate": "75.00",
                "user": login.pk,
            },
            format="json",
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["trades"] == ["exterior", "structural"] and body["service_areas"] == ["941", "946"]
        assert body["user"] == login.pk and body["organization"] == staff.organization_id

    def test_an_unknown_trade_is_400(self, api, staff):
        api.force_authenticate(staff)
        response = api.post("/api/v1/contractors/", {"company_name": "X", "trades": ["magic"]}, format="json")
        assert "trades" in assert_error(response, 400, "validation_error")["fields"]

    def test_editing_replaces_trades_and_areas(self, api, staff, contractor):
        factories.ServiceAreaFactory(contractor=contractor, postal_prefix="941")
        api.force_authenticate(staff)

        response = api.patch(
            f"/api/v1/contractors/{contractor.pk}/",
            {"trades": ["hvac"], "postal_prefixes": ["100"], "emergency_24_7": True},
            format="json",
        )

        assert response.status_code == 200
        assert response.json()["trades"] == ["hvac"] and response.json()["service_areas"] == ["100"]
        contractor.refresh_from_db()
        assert contractor.emergency_24_7 is True

    def test_the_rating_is_not_editable(self, api, staff, contractor):
        api.force_authenticate(staff)
        api.patch(f"/api/v1/contractors/{contractor.pk}/", {"rating": "5.00"}, format="json")
        assert Contractor.objects.get(pk=contractor.pk).rating == Decimal("4.50")

    def test_filters(self, api, staff, org):
        plumber = factories.ContractorFactory(organization=org, company_name="Pipes", trades=["plumbing"])
        factories.ServiceAreaFactory(contractor=plumber, postal_prefix="941")
        factories.ContractorFactory(organization=org, company_name="Sparks", trades=["electrical"])
        api.force_authenticate(staff)

        def names(query: str) -> list[str]:
            return [c["company_name"] for c in api.get(f"/api/v1/contractors/?{query}").json()["results"]]

        assert names("trade=plumbing") == ["Pipes"]
        assert names("postal_code=94110") == ["Pipes"]
        assert names("postal_code=10001") == []
        assert names("search=spa") == ["Sparks"]

    def test_a_contractor_sees_only_their_own_entry(self, api, contractor, org):
        factories.ContractorFactory(organization=org)
        api.force_authenticate(contractor.user)
        assert [c["id"] for c in api.get("/api/v1/contractors/").json()["results"]] == [contractor.pk]
