"""Agency names as trainee lists write them, through the one resolver."""

import pytest

from trainees.agencies import AgencyDirectory


@pytest.fixture
def directory(db):
    return AgencyDirectory.load()


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("Bộ TT&TT", "bo-thong-tin-va-truyen-thong"),
        ("Bộ Thông tin & Truyền thông", "bo-thong-tin-va-truyen-thong"),
        ("bo thong tin va truyen thong", "bo-thong-tin-va-truyen-thong"),
        ("Bộ KH và CN", "bo-khoa-hoc-va-cong-nghe"),
        ("Bộ KH&CN", "bo-khoa-hoc-va-cong-nghe"),
        ("Tỉnh Hà Giang", "ha-giang"),
        ("ha giang", "ha-giang"),
        ("TP. Hồ Chí Minh", "ho-chi-minh"),
        ("Thành phố Hà Nội", "ha-noi"),
        ("UBND tỉnh Nghệ An", "nghe-an"),
    ],
)
def test_written_names_resolve(directory, written, slug):
    assert directory.resolve(written).slug == slug


def test_and_written_as_a_word_does_not_merge_different_ministries(directory):
    assert directory.resolve("Bộ Văn hóa Thể thao và Du lịch").slug == "bo-van-hoa-the-thao-va-du-lich"
    assert directory.resolve("Bộ Tài nguyên và Môi trường").slug == "bo-tai-nguyen-va-moi-truong"


def test_a_department_name_is_not_an_agency_but_suggests_one(directory):
    assert directory.resolve("Sở TTTT Hà Nam") is None
    assert directory.suggest("Sở TTTT Hà Nam")[0].slug == "ha-nam"
