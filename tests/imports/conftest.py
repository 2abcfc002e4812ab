"""Files built in memory, and a fingerprint of every table an import may write."""

import io

import openpyxl
import pytest

from cohorts.models import Cohort, Enrolment
from courses.models import Attendance, Session
from egovexperts.imports.files import Upload
from egovexperts.imports.models import ImportRun
from egovexperts.notifications.models import OutboundMessage
from tests.factories import CohortFactory
from trainees.models import Assignment, RetentionCommitment, Trainee, Unit

HEADERS = ["Họ và tên", "Email", "Điện thoại", "Chức vụ", "Cơ quan", "Đơn vị", "Khóa", "Ngày bắt đầu cam kết"]
MODELS = [
    Trainee,
    Assignment,
    RetentionCommitment,
    Unit,
    Enrolment,
    Cohort,
    Session,
    Attendance,
    ImportRun,
    OutboundMessage,
]


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, headers=HEADERS, bom=True) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def xlsx(rows, headers=HEADERS, name="danh-sach.xlsx") -> Upload:
    return Upload(name=name, content=xlsx_bytes(rows, headers))


def fingerprint() -> dict:
    """Every row of every table an import may touch: equal before and after means nothing changed."""
    return {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in MODELS}


@pytest.fixture
def cohort(db):
    return CohortFactory(code="khoa-3", name="Khóa 3")
