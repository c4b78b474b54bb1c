"""Load the demo data set: two organizations, their buildings, people, contractors and requests.

Idempotent: every object is looked up by its natural key first, so running it again changes
nothing. The requests are walked through the real state machine (with domain events muted, so
the AI crew does not re-run on history) and their timelines are then moved into the past.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from contractors.models import Contractor
from contractors.services import contractor_create, contractor_set_weekly_availability
from domi.accounts.models import Organization, User
from domi.accounts.services import email_mark_verified, organization_create, user_create
from domi.errors import Conflict
from maintenance import events, services
from maintenance.actors import Actor
from maintenance.demo.catalogue import PROBLEMS
from maintenance.models import Appointment, Invoice, JobOffer, MaintenanceRequest, Payment, RequestEvent, Status
from properties.models import Property, Tenancy, Unit
from properties.services import property_create, tenancy_create, unit_create

PLUMBING_PROBLEMS = [p for p in PROBLEMS if p[2] == "plumbing" and p[3] != "emergency"]
DEMO_PASSWORD = "domi-demo"  # noqa: S105 - demo data only; refused in production below

LOGINS = [
    ("admin@demo.domi", "superuser: every organization, the whole back office"),
    ("manager@demo.domi", "manager of Demo Property Co."),
    ("tenant@demo.domi", "tenant at Harbor View Apartments 2A, with several requests"),
    ("contractor@demo.domi", "plumber (Rapid Flow Plumbing) with assigned jobs"),
    ("manager@other.domi", "manager of Northside Homes (the second organization)"),
    ("tenant@other.domi", "tenant of Northside Homes"),
]

FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tomas",
]
LAST_NAMES = [
    "Alvarez",
    "Brooks",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kim",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
]

CONTRACTORS = [
    # company, trades, 24/7, hourly, call-out, rating, postal prefixes
    ("Rapid Flow Plumbing", ["plumbing"], True, "95", "60", "4.7", ["941"]),
    ("BrightSpark Electric", ["electrical"], True, "105", "75", "4.5", ["941"]),
    ("Comfort Air HVAC", ["hvac"], True, "110", "80", "4.2", ["941"]),
    ("Appliance Doctors", ["appliance"], False, "85", "50", "4.4", ["941"]),
    ("SolidFrame Builders", ["structural", "general"], False, "90", "0", "4.1", ["941"]),
    ("SecureLock & Glass", ["doors_windows"], True, "80", "65", "4.6", ["941"]),
    ("PestAway", ["pest"], False, "70", "40", "4.0", ["941"]),
    ("SafeHome Fire & Gas", ["safety"], True, "120", "90", "4.8", ["941"]),
    ("GreenScape Grounds", ["exterior"], False, "60", "0", "3.9", ["941"]),
    (
        "Handy Helpers",
        ["general", "structural", "doors_windows", "plumbing"],
        False,
        "65",
        "30",
        "4.3",
        ["9411", "9412"],
    ),
]

# How many demo requests end in each status, and how many days back they may start.
STATUS_PLAN = [
    (Status.SUBMITTED, 4, 1),
    (Status.NEEDS_REVIEW, 3, 3),
    (Status.TRIAGED, 4, 2),
    (Status.AWAITING_APPROVAL, 3, 5),
    (Status.ASSIGNED, 6, 4),
    (Status.SCHEDULED, 6, 6),
    (Status.IN_PROGRESS, 4, 6),
    (Status.COMPLETED, 6, 20),
    (Status.CLOSED, 16, 90),
    (Status.REOPENED, 3, 30),
    (Status.CANCELLED, 5, 90),
]


@dataclass
class Planned:
    title: str
    description: str
    category: str
    priority: str
    cost: tuple[Decimal, Decimal]
    status: str
    days_ago: float
    unit: Unit
    reporter: User


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and print the demo logins."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if getattr(settings, "DJANGO_ENV", "local") == "production":
            raise CommandError("The demo data set is never loaded in production.")
        with transaction.atomic(), events.suppressed():
            created = self._seed()
        if not options["quiet"]:
            self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new objects)."))
            self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
            for email, what in LOGINS:
                self.stdout.write(f"  {email:<24} {what}")

    # -- helpers ---------------------------------------------------------------------------------

    def _seed(self) -> int:
        self.created = 0
        self.rng = random.Random(20261125)
        self.today = timezone.localdate()

        if not User.objects.filter(email="admin@demo.domi").exists():
            admin = User.objects.create_superuser("admin@demo.domi", DEMO_PASSWORD, first_name="Ada", last_name="Admin")
            email_mark_verified(user=admin)
            self.created += 1

        demo = self._organization("Demo Property Co.", "America/Los_Angeles")
        self._user("manager@demo.domi", User.Role.MANAGER, demo, "Morgan", "Manager")
        self._user("admin@demo-property.domi", User.Role.ADMIN, demo, "Alex", "Operations")
        buildings = [
            ("Harbor View Apartments", "100 Embarcadero", "San Francisco", "94107", 8, Decimal("750.00")),
            ("Maple Court", "2450 Mission St", "San Francisco", "94110", 6, Decimal("500.00")),
            ("Sunset Lofts", "1800 Irving St", "San Francisco", "94122", 6, Decimal("1000.00")),
        ]
        units: list[Unit] = []
        for name, street, city, postal, count, limit in buildings:
            prop = self._property(demo, name, street, city, postal, limit)
            for i in range(count):
                units.append(self._unit(prop, f"{i // 2 + 1}{'AB'[i % 2]}", floor=i // 2 + 1))

        tenants: list[tuple[User, Unit]] = []
        main_tenant = self._user("tenant@demo.domi", User.Role.TENANT, demo, "Terry", "Tenant", phone="+14155550100")
        self._tenancy(main_tenant, units[2], self.today - timedelta(days=400))
        tenants.append((main_tenant, units[2]))
        spanish = self._user(
            "lucia@demo.domi", User.Role.TENANT, demo, "Lucía", "Fernández", phone="+14155550101", language="es"
        )
        self._tenancy(spanish, units[3], self.today - timedelta(days=200))
        tenants.append((spanish, units[3]))
        for i, unit in enumerate(units):
            if unit in (units[2], units[3]) or i % 7 == 6:
                continue  # the two above, and a few vacant units
            first, last = FIRST_NAMES[i % 20], LAST_NAMES[(i * 3) % 20]
            tenant = self._user(f"{first.lower()}.{last.lower()}@demo.domi", User.Role.TENANT, demo, first, last)
            self._tenancy(tenant, unit, self.today - timedelta(days=30 + 17 * i))
            tenants.append((tenant, unit))

        plumber = self._user("contractor@demo.domi", User.Role.CONTRACTOR, demo, "Pat", "Plumber", phone="+14155550199")
        contractors: dict[str, Contractor] = {}
        for company, trades, always, hourly, callout, rating, areas in CONTRACTORS:
            login = plumber if company == "Rapid Flow Plumbing" else None
            contractors[company] = self._contractor(
                demo, company, trades, always, hourly, callout, rating, areas, login
            )

        self._requests(demo, tenants, main_tenant, contractors)

        other = self._organization("Northside Homes", "America/Chicago")
        self._user("manager@other.domi", User.Role.MANAGER, other, "Olive", "Other")
        oak = self._property(other, "Oak Street Duplex", "12 Oak St", "Chicago", "60614", Decimal("400.00"))
        other_units = [self._unit(oak, "Upper", floor=2), self._unit(oak, "Lower", floor=1)]
        other_tenant = self._user("tenant@other.domi", User.Role.TENANT, other, "Toby", "Other")
        self._tenancy(other_tenant, other_units[0], self.today - timedelta(days=300))
        other_contractor = self._contractor(
            other, "Windy City Repairs", ["plumbing", "general", "electrical"], False, "75", "40", "4.0", ["606"], None
        )
        self._other_requests(other, other_tenant, other_units[0], other_contractor)
        return self.created

    def _organization(self, name: str, tz: str) -> Organization:
        existing = Organization.objects.filter(name=name).first()
        if existing:
            return existing
        self.created += 1
        return organization_create(name=name, timezone=tz)

    def _user(self, email, role, organization, first, last, phone="", language="en") -> User:  # type: ignore[no-untyped-def]
        existing = User.objects.filter(email=email).first()
        if existing:
            return existing
        self.created += 1
        return user_create(
            email=email,
            role=role,
            organization=organization,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            phone=phone,
            language=language,
            email_verified=True,
        )

    def _property(self, org, name, street, city, postal, limit) -> Property:  # type: ignore[no-untyped-def]
        existing = Property.objects.filter(organization=org, name=name).first()
        if existing:
            return existing
        self.created += 1
        return property_create(
            organization=org, name=name, address_line1=street, city=city, postal_code=postal, approval_limit=limit
        )

    def _unit(self, prop: Property, label: str, floor: int) -> Unit:
        existing = Unit.objects.filter(property=prop, label=label).first()
        if existing:
            return existing
        self.created += 1
        return unit_create(property=prop, label=label, floor=floor, bedrooms=1 + floor % 3)

    def _tenancy(self, tenant: User, unit: Unit, start: date) -> None:
        if Tenancy.objects.filter(tenant=tenant, unit=unit).exists():
            return
        self.created += 1
        tenancy_create(tenant=tenant, unit=unit, start_date=start)

    def _contractor(self, org, company, trades, always, hourly, callout, rating, areas, login) -> Contractor:  # type: ignore[no-untyped-def]
        existing = Contractor.objects.filter(organization=org, company_name=company).first()
        if existing:
            return existing
        self.created += 1
        slug = "".join(c for c in company.lower() if c.isalnum())[:20]
        contractor = contractor_create(
            organization=org,
            company_name=company,
            trades=trades,
            postal_prefixes=areas,
            user=login,
            contact_name=str(login) if login else "",
            email=login.email if login else f"jobs@{slug}.example",
            phone=login.phone if login else "+1415555" + str(zlib.crc32(slug.encode()) % 10000).zfill(4),
            hourly_rate=Decimal(hourly),
            call_out_fee=Decimal(callout),
            emergency_24_7=always,
            insurance_expires_on=self.today + timedelta(days=20 if company == "PestAway" else 300),
            licence_number=f"LIC-{slug[:6].upper()}",
            rating=Decimal(rating),
        )
        # Weekdays 8:00-18:00 and Saturday mornings, local time.
        contractor_set_weekly_availability(
            contractor=contractor,
            windows=[(day, time(8), time(18)) for day in range(5)] + [(5, time(9), time(13))],
        )
        return contractor

    # -- requests --------------------------------------------------------------------------------

    def _plan(self, tenants: list[tuple[User, Unit]], main_tenant: User) -> list[Planned]:
        plan: list[Planned] = []
        used: set[tuple[int, str]] = set()
        index = 0
        assigned_plumbing = 0
        for status, count, max_days in STATUS_PLAN:
            for _ in range(count):
                title, description, category, priority, cost = PROBLEMS[index % len(PROBLEMS)]
                if status == Status.ASSIGNED and assigned_plumbing < 2:
                    # The demo plumber always has offers waiting to be accepted.
                    title, description, category, priority, cost = PLUMBING_PROBLEMS[assigned_plumbing]
                    assigned_plumbing += 1
                # The demo tenant reports every fifth problem, so their portal has history in several states.
                tenant, unit = (
                    next(t for t in tenants if t[0] == main_tenant)
                    if index % 5 == 0
                    else tenants[self.rng.randrange(len(tenants))]
                )
                while (unit.pk, title) in used:
                    tenant, unit = tenants[self.rng.randrange(len(tenants))]
                used.add((unit.pk, title))
                days_ago = round(self.rng.uniform(0.1, max_days), 2)
                if status in (Status.CLOSED, Status.CANCELLED):
                    days_ago = max(days_ago, 3.0)
                plan.append(Planned(title, description, category, priority, cost, status, days_ago, unit, tenant))
                index += 1
        return plan

    def _requests(self, org, tenants, main_tenant, contractors) -> None:  # type: ignore[no-untyped-def]
        by_trade: dict[str, Contractor] = {}
        for contractor in contractors.values():
            for trade in contractor.trades.values_list("code", flat=True):
                by_trade.setdefault(trade, contractor)
        manager = User.objects.get(email="manager@demo.domi")
        for item in self._plan(tenants, main_tenant):
            if MaintenanceRequest.objects.filter(unit=item.unit, title=item.title).exists():
                continue
            self._walk(item, by_trade[item.category], manager)

    def _other_requests(self, org, tenant, unit, contractor) -> None:  # type: ignore[no-untyped-def]
        manager = User.objects.get(email="manager@other.domi")
        items = [
            Planned(*PROBLEMS[0][:5], Status.ASSIGNED, 2.0, unit, tenant),
            Planned(*PROBLEMS[6][:5], Status.CLOSED, 25.0, unit, tenant),
            Planned(*PROBLEMS[27][:5], Status.SUBMITTED, 0.2, unit, tenant),
        ]
        for item in items:
            if MaintenanceRequest.objects.filter(unit=item.unit, title=item.title).exists():
                continue
            self._walk(item, contractor, manager)

    def _walk(self, item: Planned, contractor: Contractor, manager: User) -> None:
        """Take one request through the real state machine to its planned status."""
        self.created += 1
        tenant = Actor.of(item.reporter)
        analyzer = Actor.agent_named("analyzer")
        coordinator = Actor.agent_named("coordinator")
        staff = Actor.of(manager)
        request = services.maintenance_request_create(
            reporter=item.reporter,
            unit=item.unit,
            title=item.title,
            description=item.description,
            permission_to_enter=self.rng.random() < 0.6,
        )
        target = item.status
        if target == Status.SUBMITTED:
            return self._backdate(request, item.days_ago)
        if target == Status.CANCELLED:
            services.maintenance_request_transition(
                request=request, to_status=Status.CANCELLED, actor=tenant, note="Fixed it myself, thanks."
            )
            return self._backdate(request, item.days_ago)
        if target == Status.NEEDS_REVIEW:
            services.maintenance_request_transition(
                request=request,
                to_status=Status.NEEDS_REVIEW,
                actor=analyzer,
                note="Low confidence: the description could mean more than one trade.",
            )
            return self._backdate(request, item.days_ago)

        low, high = item.cost
        if target == Status.AWAITING_APPROVAL:
            low, high = (
                max(low, item.unit.property.approval_limit + 50),
                max(high, item.unit.property.approval_limit + 400),
            )
        services.maintenance_request_set_triage(
            request=request,
            actor=analyzer,
            category=item.category,
            priority=item.priority,
            estimated_cost_min=low,
            estimated_cost_max=high,
        )
        services.maintenance_request_transition(request=request, to_status=Status.TRIAGED, actor=analyzer)
        if target == Status.TRIAGED:
            return self._backdate(request, item.days_ago)
        if target == Status.AWAITING_APPROVAL:
            services.maintenance_request_transition(
                request=request,
                to_status=Status.AWAITING_APPROVAL,
                actor=coordinator,
                note=f"Estimate above the owner's approval limit of ${item.unit.property.approval_limit}.",
            )
            return self._backdate(request, item.days_ago)

        services.maintenance_request_assign(
            request=request, contractor=contractor, actor=coordinator, note="Best match on trade, area and rating."
        )
        if target == Status.ASSIGNED:
            return self._backdate(request, item.days_ago)

        pro = Actor.of(contractor.user) if contractor.user else staff
        # The appointment lies after the report: ahead for scheduled jobs, behind for started or finished ones.
        reported = timezone.now() - timedelta(days=item.days_ago)
        if target == Status.SCHEDULED:
            start = timezone.now() + timedelta(days=1 + self.rng.randrange(0, 3))
        elif target == Status.IN_PROGRESS:
            start = timezone.now() - timedelta(hours=1)
        else:
            start = reported + timedelta(days=item.days_ago * 0.4)
        start = start.replace(minute=0, second=0, microsecond=0)
        # The contractor accepts the offer and confirms the visit, as they would through the API.
        offer = JobOffer.objects.get(request=request, status=JobOffer.Status.OFFERED)
        step = timedelta(hours=3 if target == Status.SCHEDULED else -3)
        for _attempt in range(20):  # the contractor is never double-booked: try the next free slot
            try:
                services.job_offer_accept(offer=offer, actor=pro, start=start)
                break
            except Conflict:
                start += step
        if target == Status.SCHEDULED:
            return self._backdate(request, item.days_ago)
        services.maintenance_request_transition(request=request, to_status=Status.IN_PROGRESS, actor=pro)
        if target == Status.IN_PROGRESS:
            return self._backdate(request, item.days_ago)
        services.maintenance_request_transition(
            request=request, to_status=Status.COMPLETED, actor=pro, note="Repaired and tested; all working."
        )
        Appointment.objects.filter(request=request, status=Appointment.Status.CONFIRMED).update(
            status=Appointment.Status.COMPLETED
        )
        if target == Status.COMPLETED:
            return self._backdate(request, item.days_ago)
        if target == Status.CLOSED:
            services.maintenance_request_transition(request=request, to_status=Status.CLOSED, actor=tenant)
            self._invoice(request, contractor, pro, manager)
            return self._backdate(request, item.days_ago)
        services.maintenance_request_transition(
            request=request, to_status=Status.REOPENED, actor=tenant, note="It started again the next day."
        )
        return self._backdate(request, item.days_ago)

    def _invoice(self, request: MaintenanceRequest, contractor: Contractor, pro: Actor, manager: User) -> None:
        """The closed job's invoice, so the dashboard has costs: approved or paid, a few waiting for approval."""
        # Its own random numbers, seeded by the job: the plan's sequence stays as it was without invoices.
        rng = random.Random(zlib.crc32(request.title.encode()) + request.unit_id)
        lines = [
            {
                "kind": "labour",
                "description": "Labour",
                "quantity": Decimal(1 + rng.randrange(4)) / 2,
                "unit_price": contractor.hourly_rate,
            }
        ]
        if contractor.call_out_fee:
            fee = contractor.call_out_fee
            lines.append({"kind": "labour", "description": "Call-out", "quantity": 1, "unit_price": fee})
        if rng.random() < 0.6:
            part_price = Decimal(rng.randrange(8, 120))
            lines.append({"kind": "part", "description": "Parts", "quantity": 1, "unit_price": part_price})
        invoice = services.invoice_submit(request=request, actor=pro, lines=lines, number=f"DEMO-{request.pk}")
        if invoice.status == Invoice.Status.AWAITING_APPROVAL and rng.random() < 0.5:
            invoice = services.invoice_approve(invoice=invoice, user=manager)
        if invoice.status == Invoice.Status.APPROVED and rng.random() < 0.6:
            services.payment_record_manual(invoice=invoice, user=manager, reference=f"BANK-{request.pk:05d}")

    def _backdate(self, request: MaintenanceRequest, days_ago: float) -> None:
        """Move the request's whole history back so it was reported `days_ago` days ago."""
        request.refresh_from_db()
        shift = request.created_at - (timezone.now() - timedelta(days=days_ago))
        fields = ["created_at", "due_by", "triaged_at", "assigned_at", "completed_at", "closed_at"]
        changes = {f: getattr(request, f) - shift for f in fields if getattr(request, f) is not None}
        MaintenanceRequest.objects.filter(pk=request.pk).update(**changes)
        # Events keep their order, spread over the time the request has existed.
        event_list = list(RequestEvent.objects.filter(request=request).order_by("created_at", "id"))
        new_created = changes["created_at"]
        span = min(timedelta(days=days_ago), timedelta(days=max(days_ago * 0.8, 0.05)))
        step = span / max(len(event_list), 1)
        for i, event in enumerate(event_list):
            RequestEvent.objects.filter(pk=event.pk).update(created_at=new_created + step * i)
        # The job's money moves with it: invoiced and paid when the job was done, not today.
        Invoice.objects.filter(request=request).update(
            submitted_at=F("submitted_at") - shift, decided_at=F("decided_at") - shift, paid_at=F("paid_at") - shift
        )
        Payment.objects.filter(invoice__request=request).update(
            created_at=F("created_at") - shift, completed_at=F("completed_at") - shift
        )
