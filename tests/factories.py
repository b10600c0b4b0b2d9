import factory
from allauth.account.models import EmailAddress

from circles.models import Circle, CircleMembership, Lens
from movement.models import Membership, Movement, Role, User

PASSWORD = "a-long-test-passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Movement

    name = factory.Sequence(lambda n: f"Movement {n}")
    slug = factory.Sequence(lambda n: f"movement-{n}")
    horizon = "Housing, food and safety held in common."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    movement = factory.SubFactory(MovementFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle

    movement = factory.SubFactory(MovementFactory)
    name = factory.Sequence(lambda n: f"Circle {n}")
    name_key = factory.LazyAttribute(lambda circle: Circle.key_for(circle.name))
    slug = factory.Sequence(lambda n: f"circle-{n}")
    initiative = "Weekly free pantry."
    theory_of_change = "Trust built over meals becomes a rent strike's lists."
    lens = Lens.VOLUNTARIST


class CircleMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CircleMembership

    circle = factory.SubFactory(CircleFactory)
    member = factory.SubFactory(MembershipFactory)
    is_convener = False
