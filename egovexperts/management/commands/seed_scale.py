"""Synthetic data of any size for benchmarks, written with bulk inserts.

    python manage.py seed_scale --trainees 10000

makes cohorts of --cohort-size trainees, each trainee with a post and a commitment, and
--sessions held sessions spread over the cohorts with an attendance row for every enrolled
trainee (10,000 trainees, 1,000 sessions -> 200,000 attendance rows), plus two upcoming
sessions per cohort. Names and emails are synthetic (scale-NNNNN@example.org).
"""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from courses.models import Attendance, Course, Session
from egovexperts.core.permissions import ORGANIZER_GROUP
from egovexperts.management.names import FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES
from trainees.models import Agency, Assignment, RetentionCommitment, Trainee, assignment_search_text

BATCH = 5000
PASSWORD = "Demo@2020"


class Command(BaseCommand):
    help = "Create synthetic benchmark data with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, default=10_000)
        parser.add_argument("--sessions", type=int, default=1_000, help="Held sessions in all.")
        parser.add_argument("--cohort-size", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2019)

    def handle(self, *args, trainees, sessions, cohort_size, seed, **options):
        if Programme.objects.filter(code="scale").exists():
            raise CommandError("Scale data is already present; use a fresh database.")
        started = time.monotonic()
        with transaction.atomic():
            counts = build(trainees=trainees, sessions=sessions, cohort_size=cohort_size, rng=random.Random(seed))
            ensure_bench_users()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Statistics and clean indexes for the new rows, as autovacuum would leave them later
                # (VACUUM cannot run inside a transaction, as under a test).
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Created {summary} in {elapsed:.1f} s."))


def ensure_bench_users() -> None:
    User = get_user_model()
    for email, superuser in (("organizer@example.org", False), ("admin@example.org", True)):
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "is_staff": True, "is_superuser": superuser}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        if not superuser:
            user.groups.add(Group.objects.get(name=ORGANIZER_GROUP))


def build(*, trainees: int, sessions: int, cohort_size: int, rng: random.Random) -> dict[str, int]:
    agencies = list(Agency.objects.all())
    programme = Programme.objects.create(code="scale", name="Chương trình quy mô lớn (dữ liệu thử)")
    cohort_count = max(1, -(-trainees // cohort_size))
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            programme=programme,
            code=f"scale-{n}",
            name=f"Khóa quy mô {n + 1}",
            starts_on=datetime.date(2020, 6, 1),
            capacity=cohort_size,
        )
        for n in range(cohort_count)
    )

    people = [_trainee(n, rng) for n in range(trainees)]
    Trainee.objects.bulk_create(people, batch_size=BATCH)
    people = list(Trainee.objects.filter(email__startswith="scale-").order_by("pk"))

    posts, commitments, enrolments = [], [], []
    for index, person in enumerate(people):
        agency = agencies[index % len(agencies)]
        position = rng.choice(["Trưởng phòng Công nghệ thông tin", "Giám đốc Trung tâm CNTT-TT", "Phó Cục trưởng"])
        posts.append(
            Assignment(
                trainee=person,
                agency=agency,
                position=position,
                starts_on=datetime.date(2019, 1, 1),
                search_text=assignment_search_text(position, agency, None),
            )
        )
        commitments.append(
            RetentionCommitment(
                trainee=person, agency=agency, starts_on=datetime.date(2020, 6, 1), ends_on=datetime.date(2023, 6, 1)
            )
        )
        enrolments.append(
            Enrolment(
                cohort=cohorts[index // cohort_size],
                trainee=person,
                nominated_by=agency,
                enrolled_on=datetime.date(2020, 6, 1),
            )
        )
    Assignment.objects.bulk_create(posts, batch_size=BATCH)
    Trainee.objects.index_posts()
    RetentionCommitment.objects.bulk_create(commitments, batch_size=BATCH)
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)

    courses = Course.objects.bulk_create(
        Course(cohort=cohort, code="QM-01", title="Chuyển đổi số (dữ liệu thử)", year=2020, required_hours=40)
        for cohort in cohorts
    )
    now = timezone.now()
    all_sessions = []
    for index, course in enumerate(courses):
        held_per_course = sessions // len(courses) + (1 if index < sessions % len(courses) else 0)
        for n in range(held_per_course):
            starts = now - datetime.timedelta(days=7 * (held_per_course - n), hours=2)
            all_sessions.append(
                Session(
                    course=course, title=f"Buổi {n + 1}", starts_at=starts, ends_at=starts + datetime.timedelta(hours=4)
                )
            )
        for n in range(2):
            starts = now + datetime.timedelta(days=7 * (n + 1))
            all_sessions.append(
                Session(
                    course=course,
                    title=f"Buổi sắp tới {n + 1}",
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=4),
                )
            )
    Session.objects.bulk_create(all_sessions, batch_size=BATCH)

    members: dict[int, list[int]] = {}
    for enrolment in enrolments:
        members.setdefault(enrolment.cohort_id, []).append(enrolment.trainee_id)
    statuses = [Attendance.Status.PRESENT] * 17 + [
        Attendance.Status.LATE,
        Attendance.Status.ABSENT,
        Attendance.Status.EXCUSED,
    ]
    attendance_count = 0
    batch = []
    for session in Session.objects.filter(course__in=courses, ends_at__lt=now).select_related("course"):
        for trainee_id in members.get(session.course.cohort_id, []):
            batch.append(Attendance(session=session, trainee_id=trainee_id, status=rng.choice(statuses)))
        if len(batch) >= BATCH:
            attendance_count += len(Attendance.objects.bulk_create(batch))
            batch = []
    attendance_count += len(Attendance.objects.bulk_create(batch))
    return {
        "trainees": len(people),
        "cohorts": len(cohorts),
        "sessions": len(all_sessions),
        "attendance rows": attendance_count,
    }


def _trainee(n: int, rng: random.Random) -> Trainee:
    full_name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
    trainee = Trainee(full_name=full_name, email=f"scale-{n:05d}@example.org", phone=f"09{n:08d}")
    trainee.search_text, trainee.sort_key = Trainee.index_fields(full_name, trainee.email)
    return trainee
