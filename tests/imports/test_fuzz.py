"""Random rows and random files through the preview page: never a server error, never a write."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.imports.conftest import HEADERS, csv_bytes, fingerprint, xlsx_bytes

cell = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(min_size=100, max_size=300),
    st.sampled_from(["Hà Nội", "Bộ TT&TT", "31/02/2021", "01/06/2024", "=1+1", "Khóa 3", "a@b.vn", " ", "\ufeff"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)),
    st.booleans(),
)
header = st.one_of(st.sampled_from(HEADERS + ["Full name", "Email", "Emial", "", "Ghi chú"]), st.text(max_size=20))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _post(client, content, name):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("imports:import-preview"), {"kind": "trainees", "file": file})


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=8, max_size=8), min_size=1, max_size=6))
def test_random_rows_in_xlsx_never_give_a_server_error(organizer_client, cohort, rows):
    before = fingerprint()
    # Control characters cannot be stored in a workbook at all (Excel cannot write such a file).
    xlsx_rows = [[ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row] for row in rows]
    response = _post(organizer_client, xlsx_bytes(xlsx_rows), "fuzz.xlsx")
    assert response.status_code in (200, 400)
    assert fingerprint() == before


@FUZZ
@given(
    headers=st.lists(header, min_size=1, max_size=9),
    rows=st.lists(st.lists(st.text(max_size=30), min_size=0, max_size=10), max_size=6),
    bom=st.booleans(),
)
def test_random_csv_files_never_give_a_server_error(organizer_client, cohort, headers, rows, bom):
    before = fingerprint()
    response = _post(organizer_client, csv_bytes(rows, headers=headers, bom=bom), "fuzz.csv")
    assert response.status_code in (200, 400)
    assert fingerprint() == before


@FUZZ
@given(content=st.binary(max_size=2000), name=st.sampled_from(["x.xlsx", "x.csv", "x.txt"]))
def test_random_bytes_never_give_a_server_error(organizer_client, content, name):
    response = _post(organizer_client, content, name)
    assert response.status_code in (200, 400)
