"""Factories of the knowledge base."""

import datetime

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from knowledge_base.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Bridge,
    Category,
    ClosingPhrase,
    ClosingStage,
    ObjectionStep,
    ObjectionType,
    RecentView,
    StockAnswer,
    Tag,
    VzorStep,
)
from tests.config.factories import (
    ManagerFactory,
    UserFactory,
    many_to_many,
)
from tests.offers.factories import (
    OfferFactory,
)

User = get_user_model()


class CategoryFactory(DjangoModelFactory):
    """Creates root categories; pass `parent` to add a child under it."""

    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is not None:
            return model_class.objects.add_child(parent, kwargs)
        return model_class.objects.add_root(kwargs)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = "Текст статьи."
    category = factory.SubFactory(CategoryFactory)
    owner = factory.SubFactory(ManagerFactory)
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: datetime.datetime(2019, 6, 7, 14, 52, tzinfo=datetime.UTC)
    )

    tags = many_to_many("tags")


class BridgeFactory(DjangoModelFactory):
    class Meta:
        model = Bridge
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"bridge-{n}")
    trigger = factory.Sequence(lambda n: f"Ситуация {n}")
    phrase = "Для обеспечения безопасности предлагаю Вам подключить антивирус на два устройства..."
    keywords = "вирус, антивирус"
    offer = factory.SubFactory(OfferFactory)


class ObjectionTypeFactory(DjangoModelFactory):
    class Meta:
        model = ObjectionType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"objection-{n}")
    name = factory.Sequence(lambda n: f"возражение {n}")


class ObjectionStepFactory(DjangoModelFactory):
    class Meta:
        model = ObjectionStep

    objection = factory.SubFactory(ObjectionTypeFactory)
    step = VzorStep.LISTEN
    phrase = "«Понимаю, что для вас важно не переплачивать.»"


class StockAnswerFactory(DjangoModelFactory):
    class Meta:
        model = StockAnswer

    objection = factory.SubFactory(ObjectionTypeFactory)
    customer_says = factory.Sequence(lambda n: f"Я подумаю {n}")
    answer = "Скажите, пожалуйста, о чем Вы будете думать?"


class ClosingPhraseFactory(DjangoModelFactory):
    class Meta:
        model = ClosingPhrase

    stage = ClosingStage.REACT_POSITIVELY
    text = factory.Sequence(lambda n: f"Отлично {n}!")


class ArticleFeedbackFactory(DjangoModelFactory):
    class Meta:
        model = ArticleFeedback

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)
    helpful = True
    comment = ""


class RecentViewFactory(DjangoModelFactory):
    class Meta:
        model = RecentView

    user = factory.SubFactory(UserFactory)
    article = factory.SubFactory(ArticleFactory)
    viewed_at = factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC))
