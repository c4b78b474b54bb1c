"""factory-boy factories for every model."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from contractors.models import Contractor, ServiceArea, Trade
from domi.accounts.models import Organization, User
from maintenance.models import Appointment, Attachment, Comment, MaintenanceRequest, RequestEvent
from properties.models import Property, Tenancy, Unit

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Property Co {n}")
    slug = factory.Sequence(lambda n: f"property-co-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.TENANT
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class StaffFactory(UserFactory):
    role = User.Role.MANAGER
    is_staff = True


class OrgAdminFactory(StaffFactory):
    role = User.Role.ADMIN


class TenantFactory(UserFactory):
    role = User.Role.TENANT


class ContractorUserFactory(UserFactory):
    role = User.Role.CONTRACTOR


class SuperuserFactory(UserFactory):
    role = User.Role.ADMIN
    organization = None
    is_staff = True
    is_superuser = True


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Building {n}")
    address_line1 = factory.Faker("street_address")
    city = "San Francisco"
    postal_code = "94110"
    approval_limit = Decimal("500.00")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    property = factory.SubFactory(PropertyFactory)
    label = factory.Sequence(lambda n: f"{n}A")
    floor = 1


class TenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenancy

    unit = factory.SubFactory(UnitFactory)
    tenant = factory.SubFactory(TenantFactory, organization=factory.SelfAttribute("..unit.property.organization"))
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    end_date = None


class ContractorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contractor
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    company_name = factory.Sequence(lambda n: f"Fixers {n} Ltd")
    user = factory.SubFactory(ContractorUserFactory, organization=factory.SelfAttribute("..organization"))
    email = factory.Sequence(lambda n: f"jobs{n}@fixers.example")
    hourly_rate = Decimal("80.00")
    call_out_fee = Decimal("40.00")
    emergency_24_7 = False
    insurance_expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    rating = Decimal("4.50")

    @factory.post_generation
    def trades(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            # get_or_create: transactional tests flush the rows the data migration made.
            obj.trades.set([Trade.objects.get_or_create(code=code)[0] for code in extracted or ["plumbing"]])


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea

    contractor = factory.SubFactory(ContractorFactory)
    postal_prefix = "941"


class MaintenanceRequestFactory(factory.django.DjangoModelFactory):
    """A request as it is stored; tests that need the created event use the service instead."""

    class Meta:
        model = MaintenanceRequest

    unit = factory.SubFactory(UnitFactory)
    organization = factory.SelfAttribute("unit.property.organization")
    reporter = factory.LazyAttribute(lambda o: TenancyFactory(unit=o.unit).tenant)
    title = factory.Sequence(lambda n: f"Problem {n}")
    description = "The kitchen tap drips."
    status = "submitted"


class RequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestEvent

    request = factory.SubFactory(MaintenanceRequestFactory)
    kind = RequestEvent.Kind.NOTE
    actor_agent = "analyzer"
    note = "Looked at it."


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    request = factory.SubFactory(MaintenanceRequestFactory)
    author = factory.SelfAttribute("request.reporter")
    body = "Any news?"


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    request = factory.SubFactory(MaintenanceRequestFactory)
    file = factory.django.FileField(filename="leak.jpg", data=b"not really a jpeg")
    original_name = "leak.jpg"
    content_type = "image/jpeg"
    size = 17
    uploaded_by = factory.SelfAttribute("request.reporter")


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    request = factory.SubFactory(MaintenanceRequestFactory)
    contractor = factory.SubFactory(ContractorFactory, organization=factory.SelfAttribute("..request.organization"))
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=2))
