import pytest

from egovexperts.core.spreadsheets import escape_text


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("=1+1", "'=1+1"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("Nguyễn\x07 An", "Nguyễn An"), (12, 12)],
)
def test_text_is_never_a_formula_nor_a_control_character(value, escaped):
    assert escape_text(value) == escaped
