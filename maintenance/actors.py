"""Who acts on a request: a person in one of their roles, or an AI agent / system job."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domi.accounts.models import User


class ActorRole(enum.StrEnum):
    STAFF = "staff"
    TENANT = "tenant"
    CONTRACTOR = "contractor"
    AGENT = "agent"


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    agent: str = ""

    def __post_init__(self) -> None:
        if (self.user is None) == (not self.agent):
            raise ValueError("An actor is either a user or an agent, exactly one of them.")

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user=user)

    @classmethod
    def agent_named(cls, name: str) -> Actor:
        return cls(agent=name)

    @property
    def role(self) -> ActorRole:
        if self.user is None:
            return ActorRole.AGENT
        if self.user.is_superuser or self.user.role in User.STAFF_ROLES:
            return ActorRole.STAFF
        if self.user.role == User.Role.CONTRACTOR:
            return ActorRole.CONTRACTOR
        return ActorRole.TENANT

    @property
    def label(self) -> str:
        return str(self.user) if self.user else self.agent
