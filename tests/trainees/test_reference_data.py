"""The reference data as migrate loads it into the database."""

import datetime

import pytest

from trainees.agencies import AgencyDirectory
from trainees.models import Agency

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
PROVINCIAL = Agency.PROVINCIAL_KINDS


def provincial_in_force(on):
    return Agency.objects.in_force(on).filter(kind__in=PROVINCIAL)


def test_34_provincial_units_are_in_force_today():
    assert provincial_in_force(TODAY).count() == 34


def test_63_provincial_units_were_in_force_at_the_end_of_2024():
    assert provincial_in_force(datetime.date(2024, 12, 31)).count() == 63


def test_six_cities_and_28_provinces_on_1_july_2025():
    in_force = provincial_in_force(datetime.date(2025, 7, 1))
    cities = set(in_force.filter(kind=Agency.Kind.CITY).values_list("short_name", flat=True))
    assert cities == {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ"}
    assert in_force.filter(kind=Agency.Kind.PROVINCE).count() == 28


def test_every_abolished_unit_resolves_to_exactly_one_unit_in_force():
    directory = AgencyDirectory.load()
    in_force_today = set(provincial_in_force(TODAY).values_list("pk", flat=True))
    abolished = Agency.objects.filter(kind__in=PROVINCIAL, valid_to__lt=TODAY)
    assert abolished.count() == 33  # 29 merged, Thừa Thiên Huế renamed, three reclassified as cities
    for agency in abolished:
        assert directory.in_force(agency, TODAY).pk in in_force_today, agency


def test_2025_mergers_point_to_the_absorbing_province():
    merged = {agency.slug: agency.successor.slug for agency in Agency.objects.filter(change="merged", kind="province")}
    assert merged["ha-giang"] == "tuyen-quang"
    assert merged["ha-nam"] == merged["nam-dinh"] == "ninh-binh"
    assert merged["binh-duong"] == merged["ba-ria-vung-tau"] == "ho-chi-minh"
    assert merged["soc-trang"] == merged["hau-giang"] == "can-tho"


def test_thua_thien_hue_became_the_city_of_hue_on_1_january_2025():
    directory = AgencyDirectory.load()
    old = Agency.objects.get(slug="thua-thien-hue")
    assert directory.in_force(old, datetime.date(2024, 12, 31)) == old
    assert directory.in_force(old, datetime.date(2025, 1, 1)).name_vi == "Thành phố Huế"


def test_provinces_reclassified_as_cities_in_2026_keep_their_history():
    directory = AgencyDirectory.load()
    dong_nai = Agency.objects.get(slug="dong-nai")
    assert directory.in_force(dong_nai, datetime.date(2026, 4, 29)) == dong_nai
    assert directory.in_force(dong_nai, datetime.date(2026, 4, 30)).kind == Agency.Kind.CITY
    for slug, day in (("quang-ninh", datetime.date(2026, 9, 1)), ("bac-ninh", datetime.date(2026, 9, 20))):
        assert directory.in_force(Agency.objects.get(slug=slug), day).kind == Agency.Kind.CITY


@pytest.mark.parametrize("code", ["15", "24", "44", "52", "80", "82", "91"])
def test_seven_codes_name_a_different_unit_after_1_july_2025(code):
    directory = AgencyDirectory.load()
    before = directory.resolve(code, on=datetime.date(2025, 6, 30))
    after = directory.resolve(code, on=datetime.date(2025, 7, 1))
    assert before is not None and after is not None
    assert before != after
    assert before.successor == after


def test_ministries_in_force_since_1_march_2025():
    central = Agency.objects.in_force(datetime.date(2025, 3, 1)).filter(kind__in=Agency.CENTRAL_KINDS)
    assert central.filter(kind=Agency.Kind.MINISTRY).count() == 14
    assert set(central.filter(kind=Agency.Kind.MINISTRY_LEVEL).values_list("short_name", flat=True)) == {
        "Ngân hàng Nhà nước",
        "Thanh tra Chính phủ",
        "Văn phòng Chính phủ",
    }
    before = Agency.objects.in_force(datetime.date(2025, 2, 28))
    assert before.filter(kind=Agency.Kind.MINISTRY).count() == 18
    assert before.filter(kind=Agency.Kind.MINISTRY_LEVEL).count() == 4


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("bo-thong-tin-va-truyen-thong", "bo-khoa-hoc-va-cong-nghe"),
        ("bo-ke-hoach-va-dau-tu", "bo-tai-chinh"),
        ("bo-giao-thong-van-tai", "bo-xay-dung"),
        ("bo-nong-nghiep-va-phat-trien-nong-thon", "bo-nong-nghiep-va-moi-truong"),
        ("bo-tai-nguyen-va-moi-truong", "bo-nong-nghiep-va-moi-truong"),
        ("bo-lao-dong-thuong-binh-va-xa-hoi", "bo-noi-vu"),
        ("uy-ban-dan-toc", "bo-dan-toc-va-ton-giao"),
    ],
)
def test_ministries_of_2019_2025_hand_over_to_their_successor(old, new):
    directory = AgencyDirectory.load()
    agency = Agency.objects.get(slug=old)
    assert directory.in_force(agency, datetime.date(2025, 2, 28)) == agency
    assert directory.in_force(agency, datetime.date(2025, 3, 1)).slug == new


def test_loading_the_reference_data_again_changes_nothing():
    from trainees.reference import load_agencies

    before = list(Agency.objects.order_by("pk").values())
    load_agencies(Agency)
    assert list(Agency.objects.order_by("pk").values()) == before
