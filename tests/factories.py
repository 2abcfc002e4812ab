"""A factory per model. Agencies come from the reference data loaded by migrate."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from courses.models import Attendance, Course, Material, Session
from trainees.models import Agency, Assignment, RetentionCommitment, Trainee, Unit


def agency(slug: str) -> Agency:
    return Agency.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("correct horse battery staple")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.LazyFunction(lambda: agency("ha-noi"))
    name = factory.Sequence(lambda n: f"Phòng Công nghệ thông tin {n}")


class TraineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainee

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Học Viên {n}")
    email = factory.Sequence(lambda n: f"trainee{n}@example.org")
    phone = "0912 345 678"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    trainee = factory.SubFactory(TraineeFactory)
    agency = factory.LazyFunction(lambda: agency("ha-noi"))
    position = "Trưởng phòng Công nghệ thông tin"
    starts_on = datetime.date(2019, 1, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        post = super()._create(model_class, *args, **kwargs)
        # As trainees.services does: the directory search reads the trainee's copy of the post.
        Trainee.objects.filter(pk=post.trainee_id).index_posts()
        return post


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetentionCommitment

    trainee = factory.SubFactory(TraineeFactory)
    agency = factory.LazyFunction(lambda: agency("ha-noi"))
    starts_on = datetime.date(2020, 6, 1)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "egov-100"
    name = "Chương trình đào tạo 100 chuyên gia Chính phủ điện tử"
    launched_on = datetime.date(2019, 12, 28)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"cohort-{n}")
    name = factory.Sequence(lambda n: f"Khóa {n}")
    starts_on = datetime.date(2020, 6, 1)
    capacity = 100


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    trainee = factory.SubFactory(TraineeFactory)
    nominated_by = factory.LazyFunction(lambda: agency("ha-noi"))
    enrolled_on = datetime.date(2020, 6, 1)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    cohort = factory.SubFactory(CohortFactory)
    code = factory.Sequence(lambda n: f"CPĐT-{n:03d}")
    title = factory.Sequence(lambda n: f"Chuyển đổi số trong cơ quan nhà nước {n}")
    year = 2020
    required_hours = 16


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Buổi học {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + datetime.timedelta(hours=4))
    venue = "Hội trường Bộ Thông tin và Truyền thông, 18 Nguyễn Du, Hà Nội"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    trainee = factory.SubFactory(TraineeFactory)
    status = Attendance.Status.PRESENT


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Bài giảng {n}")
    url = "https://example.org/bai-giang.pdf"
    published = True


class AbsenceNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.AbsenceNotice"

    session = factory.SubFactory(SessionFactory)
    trainee = factory.SubFactory(TraineeFactory)
    reason = "Họp giao ban của Bộ"


class PostChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainees.PostChangeRequest"

    trainee = factory.SubFactory(TraineeFactory)
    agency = factory.LazyFunction(lambda: agency("ha-noi"))
    position = "Giám đốc Sở"
    starts_on = datetime.date(2026, 1, 1)


def post_form(post, **changes) -> dict:
    """The data of the Django admin's form of a post, as it stands, with some fields changed."""
    data = {
        "trainee": post.trainee_id,
        "agency": post.agency_id,
        "unit": "",
        "position": post.position,
        "starts_on": post.starts_on.isoformat(),
        "ends_on": "",
        "reason": post.reason,
        "end_reason": "",
        "note": "",
    }
    return {**data, **changes}
