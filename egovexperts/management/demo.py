"""Demo data: the programme, its 2020 cohort of 100 fictional trainees and their curriculum.

Every person is fictional (emails at example.org); agencies, merges and dates are real.
Dates of sessions still to come and of commitments still running are set relative to the
day of seeding, so a fresh demo always has something upcoming, ending soon and active.

The coverage page tells a story on any day the demo is seeded: posts stay recorded at the
provinces merged on 1 July 2025 (they count for the provinces that took them over); a few
agencies lost their only expert in the past year (LOST_THEIR_EXPERT); one province never had one
(NEVER_NOMINATED); and one agency's last running commitment ends within six months
(LOSING_GUARANTEE). tests/test_seeds.py checks the story through the coverage report.
"""

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from cohorts.services import withdraw_enrolment
from courses.models import Attendance, Course, Material, Session
from egovexperts.core.permissions import ORGANIZER_GROUP
from trainees import services as trainee_services
from trainees.accounts import ensure_account
from trainees.models import Agency, Assignment, RetentionCommitment, Trainee, Unit

from .names import FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES

PASSWORD = "Demo@2020"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PROGRAMME_CODE = "egov-100"
COHORT_START = datetime.date(2020, 6, 1)
VENUE_HANOI = "Hội trường Bộ Thông tin và Truyền thông, 18 Nguyễn Du, Hà Nội"
MEETING_URL = "https://meet.example.org/egov-100"

# Agencies nominating two trainees (the rest nominate one).
TWICE = {
    "bo-thong-tin-va-truyen-thong",
    "bo-y-te",
    "bo-tai-chinh",
    "bo-cong-an",
    "bo-quoc-phong",
    "bo-giao-duc-va-dao-tao",
    "bo-ke-hoach-va-dau-tu",
    "bo-noi-vu",
    "ha-noi",
    "ho-chi-minh",
    "da-nang",
    "hai-phong",
    "can-tho",
    "quang-ninh",
    "thua-thien-hue",
    "nghe-an",  # the seat Lai Châu never took
}
# A province that never nominated anyone: no post was ever recorded there or at a predecessor.
NEVER_NOMINATED = "lai-chau"
# Agencies of one trainee who left in the year before the seeding, with nobody replacing them:
# (slug, days before the seeding, where they went; None: retired).
LOST_THEIR_EXPERT = (
    ("bo-ngoai-giao", 150, "van-phong-chinh-phu"),
    ("cao-bang", 60, None),
    ("dien-bien", 240, "ha-noi"),
)
# The agency whose only running commitment (a renewal) ends 45 days after the seeding.
LOSING_GUARANTEE = "lang-son"


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str = PASSWORD


def seed(today: datetime.date | None = None) -> tuple[bool, list[Login]]:
    """Create the demo once. Returns (created, logins); a second call changes nothing."""
    if Programme.objects.filter(code=PROGRAMME_CODE).exists():
        return False, demo_logins()
    with transaction.atomic():
        _Seeder(today or timezone.localdate()).run()
    return True, demo_logins()


def demo_logins() -> list[Login]:
    trainees = Trainee.objects.filter(user__isnull=False, email__endswith="@example.org").order_by("pk")[:3]
    return [
        Login("admin", "admin@example.org"),
        Login("organizer", "organizer@example.org"),
        *(Login("trainee", trainee.email) for trainee in trainees),
    ]


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HANOI)


class _Seeder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.rng = random.Random(28122019)
        self.agencies = {agency.slug: agency for agency in Agency.objects.all()}

    def run(self) -> None:
        self.users()
        self.programme = Programme.objects.create(
            code=PROGRAMME_CODE,
            name="Chương trình đào tạo 100 chuyên gia Chính phủ điện tử",
            name_en="Programme to train 100 core e-Government experts",
            decision_ref="Phát động ngày 28/12/2019",
            launched_on=datetime.date(2019, 12, 28),
            description="Đào tạo liên tục, thống nhất trong nhiều năm cho cùng một đội ngũ chuyên gia nòng cốt.",
        )
        self.cohort = Cohort.objects.create(
            programme=self.programme, code="2020", name="Khóa 2020", starts_on=COHORT_START, capacity=100
        )
        self.trainees = self.people()
        self.curriculum()
        self.history_events()
        self.attendance()
        self.accounts()

    # --- people -----------------------------------------------------------------------

    def users(self) -> None:
        User = get_user_model()
        admin = User(username="admin@example.org", email="admin@example.org", is_staff=True, is_superuser=True)
        admin.set_password(PASSWORD)
        admin.save()
        organizer = User(
            username="organizer@example.org",
            email="organizer@example.org",
            is_staff=True,
            first_name="Phòng",
            last_name="Chương trình",
        )
        organizer.set_password(PASSWORD)
        organizer.save()
        organizer.groups.add(Group.objects.get(name=ORGANIZER_GROUP))
        self.organizer = organizer

    def nominating_agencies(self) -> list[Agency]:
        """As of 2020: every ministry and all 63 provinces, 15 of them twice: 100 seats."""
        in_2020 = [a for a in self.agencies.values() if a.is_in_force(COHORT_START) and a.slug != NEVER_NOMINATED]
        ministries = sorted((a for a in in_2020 if not a.is_provincial), key=lambda a: a.slug)
        provinces = sorted((a for a in in_2020 if a.is_provincial), key=lambda a: a.code)
        seats = [a for a in ministries + provinces for _ in range(2 if a.slug in TWICE else 1)]
        return seats[:100]

    def people(self) -> list[Trainee]:
        used = set()
        trainees = []
        for index, agency in enumerate(self.nominating_agencies(), start=1):
            name = self.unique_name(used)
            family, *_, given = name.split()
            email = f"{fold_ascii(given)}.{fold_ascii(family)}{index:02d}@example.org"
            trainee = Trainee.objects.create(
                full_name=name, email=email, phone=f"09{self.rng.randrange(10**8):08d}", share_contact=index % 3 != 0
            )
            unit, position = self.post_for(agency)
            trainee_services.record_assignment(
                trainee,
                agency=agency,
                unit=unit,
                position=position,
                starts_on=datetime.date(2018, 1, 1) + datetime.timedelta(days=self.rng.randrange(500)),
                reason=Assignment.Reason.APPOINTED,
            )
            RetentionCommitment.objects.create(
                trainee=trainee,
                agency=agency,
                starts_on=COHORT_START,
                document_ref=f"Công văn số {100 + index}/CK-CPĐT",
            )
            Enrolment.objects.create(cohort=self.cohort, trainee=trainee, nominated_by=agency, enrolled_on=COHORT_START)
            trainees.append(trainee)
        return trainees

    def unique_name(self, used: set) -> str:
        while True:
            name = f"{self.rng.choice(FAMILY_NAMES)} {self.rng.choice(MIDDLE_NAMES)} {self.rng.choice(GIVEN_NAMES)}"
            if name not in used:
                used.add(name)
                return name

    def post_for(self, agency: Agency) -> tuple[Unit, str]:
        if agency.slug == "bo-y-te":
            unit_name, position = "Cục Công nghệ thông tin", "Phó Cục trưởng Cục Công nghệ thông tin"
        elif not agency.is_provincial:
            unit_name, position = "Trung tâm Công nghệ thông tin", "Giám đốc Trung tâm Công nghệ thông tin"
        elif self.rng.random() < 0.5:
            unit_name, position = "Sở Thông tin và Truyền thông", "Trưởng phòng Công nghệ thông tin"
        else:
            unit_name, position = "Trung tâm CNTT-TT", "Giám đốc Trung tâm Công nghệ thông tin và Truyền thông"
        return self.unit(agency, unit_name), position

    def unit(self, agency: Agency, name: str) -> Unit:
        unit, created = Unit.objects.get_or_create(agency=agency, name=name)
        if created and name == "Sở Thông tin và Truyền thông":
            # Provincial Departments of Information and Communications merged into the
            # Departments of Science and Technology on 1 March 2025.
            successor, _ = Unit.objects.get_or_create(
                agency=agency, name="Sở Khoa học và Công nghệ", defaults={"valid_from": datetime.date(2025, 3, 1)}
            )
            unit.valid_to, unit.successor, unit.change = datetime.date(2025, 2, 28), successor, "merged"
            unit.save()
        return unit

    # --- curriculum -------------------------------------------------------------------

    def course(self, code, title, year, hours, sessions, materials=()):
        course = Course.objects.create(cohort=self.cohort, code=code, title=title, year=year, required_hours=hours)
        created = [Session.objects.create(course=course, **session) for session in sessions]
        for title, public, session_index in materials:
            Material.objects.create(
                course=course,
                session=created[session_index] if session_index is not None else None,
                title=title,
                url=f"https://example.org/bai-giang/{code.lower()}-{len(title)}.pdf",
                published=True,
                public=public,
            )
        return course

    def online(self, title, day, lecturer, start=8, hours=4):
        return dict(
            title=title,
            kind=Session.Kind.ONLINE,
            starts_at=at(day, start),
            ends_at=at(day, start + hours),
            meeting_url=MEETING_URL,
            lecturers=lecturer,
        )

    def curriculum(self) -> None:
        d = datetime.date
        self.course(
            "CPĐT-01",
            "Tổng quan Chính phủ điện tử và chuyển đổi số",
            2020,
            16,
            [
                self.online(
                    "Khai giảng và định hướng chương trình (trực tuyến, giãn cách COVID-19)",
                    d(2020, 6, 2),
                    "TS. Nguyễn Minh Hồng",
                ),
                self.online("Chính phủ điện tử hướng tới Chính phủ số", d(2020, 6, 4), "ThS. Đỗ Công Anh"),
                dict(
                    title="Lớp tập trung ngày 1: Kiến trúc Chính phủ điện tử",
                    kind=Session.Kind.IN_PERSON,
                    starts_at=at(d(2020, 6, 11), 8),
                    ends_at=at(d(2020, 6, 11), 17),
                    venue=VENUE_HANOI,
                    lecturers="Cục Tin học hóa",
                    capacity=120,
                ),
                dict(
                    title="Lớp tập trung ngày 2: Nền tảng tích hợp, chia sẻ dữ liệu",
                    kind=Session.Kind.IN_PERSON,
                    starts_at=at(d(2020, 6, 12), 8),
                    ends_at=at(d(2020, 6, 12), 17),
                    venue=VENUE_HANOI,
                    lecturers="Cục Tin học hóa",
                    capacity=120,
                ),
            ],
            materials=[
                ("Bài giảng: Chính phủ điện tử hướng tới Chính phủ số", True, 1),
                ("Khung kiến trúc Chính phủ điện tử Việt Nam 2.0", True, 2),
            ],
        )
        self.course(
            "CPĐT-02",
            "Điện toán đám mây và trung tâm dữ liệu",
            2021,
            12,
            [
                self.online("Điện toán đám mây cho cơ quan nhà nước", d(2021, 3, 16), "ThS. Trần Quang Hưng"),
                self.online(
                    "Tiêu chí nền tảng điện toán đám mây phục vụ Chính phủ số", d(2021, 7, 20), "Cục Tin học hóa"
                ),
                dict(
                    title="Tham quan trung tâm dữ liệu đám mây",
                    kind=Session.Kind.SITE_VISIT,
                    starts_at=at(d(2021, 11, 25), 8),
                    ends_at=at(d(2021, 11, 25), 12),
                    venue="Trung tâm dữ liệu đám mây, Khu Công nghệ cao Hòa Lạc, Hà Nội",
                    capacity=60,
                ),
            ],
            materials=[("Bài giảng: Điện toán đám mây cho cơ quan nhà nước", True, 0)],
        )
        self.course(
            "CPĐT-03",
            "An toàn thông tin mạng",
            2022,
            12,
            [
                self.online("Bảo đảm an toàn hệ thống thông tin theo cấp độ", d(2022, 4, 12), "Cục An toàn thông tin"),
                self.online("Diễn tập ứng cứu sự cố an toàn thông tin", d(2022, 9, 13), "Cục An toàn thông tin"),
                dict(
                    title="Kiểm tra cuối học phần",
                    kind=Session.Kind.EXAM,
                    starts_at=at(d(2022, 10, 4), 8),
                    ends_at=at(d(2022, 10, 4), 10),
                    meeting_url=MEETING_URL,
                ),
            ],
            materials=[("Tài liệu diễn tập (nội bộ)", False, 1)],
        )
        self.course(
            "CPĐT-04",
            "Dữ liệu số và nền tảng số",
            2023,
            8,
            [
                self.online("Quản trị dữ liệu trong cơ quan nhà nước", d(2023, 5, 9), "Cục Chuyển đổi số quốc gia"),
                self.online("Nền tảng số quốc gia", d(2023, 10, 17), "Cục Chuyển đổi số quốc gia"),
            ],
        )
        self.current_course()

    def current_course(self) -> None:
        """This year's course: a session held recently without attendance, and sessions to come."""
        today = self.today
        course = self.course(
            "CPĐT-05",
            "Trí tuệ nhân tạo trong cơ quan nhà nước",
            today.year,
            12,
            [
                self.online("Trí tuệ nhân tạo: cơ hội và rủi ro", today - datetime.timedelta(days=30), "TS. Lê Thu Hà"),
                self.online("Dữ liệu cho trí tuệ nhân tạo", today - datetime.timedelta(days=3), "TS. Lê Thu Hà"),
                self.online(
                    "Ứng dụng trí tuệ nhân tạo trong dịch vụ công",
                    today + datetime.timedelta(days=7),
                    "ThS. Phạm Đức Long",
                    start=14,
                ),
                dict(
                    title="Lớp tập trung: Trí tuệ nhân tạo có trách nhiệm",
                    kind=Session.Kind.IN_PERSON,
                    starts_at=at(today + datetime.timedelta(days=21), 8),
                    ends_at=at(today + datetime.timedelta(days=21), 17),
                    venue=VENUE_HANOI,
                    capacity=120,
                ),
                self.online(
                    "Chia sẻ kinh nghiệm triển khai (buổi đã hủy)",
                    today + datetime.timedelta(days=14),
                    "Mạng lưới chuyên gia",
                ),
            ],
            materials=[
                ("Bài giảng: Trí tuệ nhân tạo: cơ hội và rủi ro", True, 0),
                ("Đọc trước: Ứng dụng trí tuệ nhân tạo trong dịch vụ công", False, 2),
            ],
        )
        Session.objects.filter(course=course, title__endswith="(buổi đã hủy)").update(
            status=Session.Status.CANCELLED, sequence=1
        )
        self.unrecorded = Session.objects.get(course=course, starts_at=at(today - datetime.timedelta(days=3), 8))

    # --- attendance and history -------------------------------------------------------

    def attendance(self) -> None:
        """Attendance of every held session, for those enrolled on its day only."""
        now = timezone.now()
        weak = {trainee.pk for trainee in self.trainees[::17]}  # a few who often miss sessions
        enrolments = list(Enrolment.objects.filter(cohort=self.cohort))
        rows = []
        held = Session.objects.filter(course__cohort=self.cohort, ends_at__lt=now).exclude(pk=self.unrecorded.pk)
        for session in held.exclude(status=Session.Status.CANCELLED):
            day = timezone.localdate(session.starts_at)
            for enrolment in enrolments:
                if day < enrolment.enrolled_on or (enrolment.ended_on and day > enrolment.ended_on):
                    continue
                roll = self.rng.random()
                if enrolment.trainee_id in weak:
                    status = Attendance.Status.ABSENT if roll < 0.6 else Attendance.Status.PRESENT
                else:
                    status = (
                        Attendance.Status.PRESENT
                        if roll < 0.88
                        else Attendance.Status.LATE
                        if roll < 0.93
                        else Attendance.Status.EXCUSED
                        if roll < 0.97
                        else Attendance.Status.ABSENT
                    )
                rows.append(
                    Attendance(
                        session=session, trainee_id=enrolment.trainee_id, status=status, recorded_by=self.organizer
                    )
                )
        Attendance.objects.bulk_create(rows)

    def history_events(self) -> None:
        """Promotions, the 2025 reorganisation, two transfers (broken), a retirement (waived), renewals."""
        t = self.trainees
        d = datetime.date
        # A transfer to another agency in 2021 breaks the commitment; the trainee withdraws.
        for trainee, target, day in ((t[5], "bo-tai-chinh", d(2021, 9, 1)), (t[40], "ha-noi", d(2022, 3, 1))):
            trainee_services.record_assignment(
                trainee,
                agency=self.agencies[target],
                starts_on=day,
                position="Phó Vụ trưởng",
                reason=Assignment.Reason.TRANSFERRED,
            )
            withdraw_enrolment(trainee.enrolments.get(), on=day, reason="Chuyển công tác sang cơ quan khác")
        # Retirement before the end: the programme office waived the commitment.
        trainee_services.end_assignment(t[12], ends_on=d(2022, 12, 31), reason=Assignment.Reason.RETIRED)
        commitment = t[12].commitments.get()
        trainee_services.waive_commitment(commitment, waived_on=d(2023, 1, 5), reason="Nghỉ hưu theo chế độ")
        withdraw_enrolment(t[12].enrolments.get(), on=d(2022, 12, 31), reason="Nghỉ hưu theo chế độ")
        # Promotions within the same agency keep the commitment.
        for trainee in t[20:26]:
            post = trainee.assignments.get(ends_on__isnull=True)
            position = "Phó Giám đốc Sở Thông tin và Truyền thông" if post.agency.is_provincial else "Phó Cục trưởng"
            trainee_services.record_assignment(
                trainee,
                agency=post.agency,
                unit=post.unit,
                starts_on=d(2022, 7, 1),
                position=position,
                reason=Assignment.Reason.PROMOTED,
            )
        # Agencies renewed the commitment for the programme's second phase. Two renewals end 45
        # days after the seeding: one of Bộ Y tế's two (the other runs on) and Lạng Sơn's only one.
        leaving = {slug for slug, _days, _target in LOST_THEIR_EXPERT}
        nominated = {trainee.pk: trainee.enrolments.get().nominated_by.slug for trainee in t}
        renewing = [trainee for trainee in t if nominated[trainee.pk] in ("ha-giang", "bo-y-te", LOSING_GUARANTEE)]
        renewing += [trainee for trainee in t[30:50] if trainee not in renewing]
        soon = {next(trainee for trainee in renewing if nominated[trainee.pk] == "bo-y-te").pk}
        soon |= {trainee.pk for trainee in renewing if nominated[trainee.pk] == LOSING_GUARANTEE}
        for trainee in renewing:
            if trainee == t[40] or nominated[trainee.pk] in leaving:
                continue
            post = trainee.assignments.get(ends_on__isnull=True)
            days = 3 * 365 - 45 if trainee.pk in soon else 400
            RetentionCommitment.objects.create(
                trainee=trainee,
                agency=post.agency,
                starts_on=self.today - datetime.timedelta(days=days),
                document_ref="Cam kết gia hạn giai đoạn 2",
            )
        self.lost_experts(nominated)
        # Replacement trainees joined in 2022 for the seats of those who left.
        for index, (seat, day) in enumerate(((t[5], d(2022, 1, 10)), (t[40], d(2022, 6, 1))), start=101):
            agency = seat.enrolments.get().nominated_by
            name = self.unique_name({trainee.full_name for trainee in t})
            family, *_, given = name.split()
            newcomer = Trainee.objects.create(
                full_name=name, email=f"{fold_ascii(given)}.{fold_ascii(family)}{index}@example.org"
            )
            trainee_services.record_assignment(
                newcomer,
                agency=agency,
                position="Trưởng phòng Công nghệ thông tin",
                starts_on=d(2021, 6, 1),
                unit=self.unit(agency, "Trung tâm CNTT-TT"),
            )
            RetentionCommitment.objects.create(
                trainee=newcomer, agency=agency, starts_on=day, document_ref=f"Công văn số {index}/CK-CPĐT"
            )
            Enrolment.objects.create(cohort=self.cohort, trainee=newcomer, nominated_by=agency, enrolled_on=day)

    def lost_experts(self, nominated: dict[int, str]) -> None:
        """The only expert of a few agencies left in the year before the seeding, long after their
        2020 commitment was fulfilled, and nobody took their place."""
        for slug, days, target in LOST_THEIR_EXPERT:
            trainee = next(trainee for trainee in self.trainees if nominated[trainee.pk] == slug)
            day = self.today - datetime.timedelta(days=days)
            if target is None:
                trainee_services.end_assignment(trainee, ends_on=day, reason=Assignment.Reason.RETIRED)
                withdraw_enrolment(trainee.enrolments.get(), on=day, reason="Nghỉ hưu theo chế độ")
                continue
            trainee_services.record_assignment(
                trainee,
                agency=self.agencies[target],
                starts_on=day + datetime.timedelta(days=1),
                position="Phó Chánh Văn phòng" if target.startswith("van-phong") else "Phó Giám đốc Sở",
                reason=Assignment.Reason.TRANSFERRED,
            )

    def accounts(self) -> None:
        """A few trainees of merged provinces and ministries can sign in to the demo."""
        for slug in ("ha-giang", "bo-y-te", "binh-duong"):
            trainee = Trainee.objects.filter(enrolments__nominated_by__slug=slug).order_by("pk").first()
            user = ensure_account(trainee)
            user.set_password(PASSWORD)
            user.save()


def fold_ascii(text: str) -> str:
    from egovexperts.core.text import fold

    return fold(text).replace(" ", "")
