"""Factories of the floor: users with their portal roles, and the many-to-many helper every
factory module uses."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from factory.django import DjangoModelFactory

from config.floor import roles

User = get_user_model()


def many_to_many(name):
    """`Factory(services=[...])` sets that many-to-many relation after the object is saved."""

    def set_related(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, name).set(extracted)

    return factory.PostGeneration(set_related)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="ru_RU")
    last_name = factory.Faker("last_name", locale="ru_RU")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-12345")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _give_role(self, create, extracted)


def _give_role(user, create, role):
    if create and role:
        if not Group.objects.filter(name=role).exists():
            # A transactional test flushed the groups the data migration made.
            roles.sync_roles(Group, Permission)
        user.groups.add(Group.objects.get(name=role))
        if role in roles.STAFF_ROLES:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def _role_by_default(default):
    """A post-generation `role` that a subclass gives by default (`role=...` still overrides)."""
    return factory.PostGeneration(
        lambda user, create, extracted, **kwargs: _give_role(user, create, extracted or default)
    )


class ManagerFactory(UserFactory):
    role = _role_by_default(roles.MANAGERS)


class SupervisorFactory(UserFactory):
    role = _role_by_default(roles.SUPERVISORS)


class CrmUserFactory(UserFactory):
    role = _role_by_default(roles.CRM)
