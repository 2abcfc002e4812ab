"""The one agency resolver: written names to agencies, agencies to the one in force."""

import datetime

import pytest

from trainees.agencies import AgencyDirectory, resolve_unit
from trainees.models import Agency, Unit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def directory():
    return AgencyDirectory.load()


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("Hà Nội", "ha-noi"),
        ("ha noi", "ha-noi"),
        ("Hanoi", "ha-noi"),
        ("Thành phố Hà Nội", "ha-noi"),
        ("TP. Hồ Chí Minh", "ho-chi-minh"),
        ("TP.HCM", "ho-chi-minh"),
        ("thanh pho ho chi minh", "ho-chi-minh"),
        ("Tỉnh Nghệ An", "nghe-an"),
        ("tinh nghe an", "nghe-an"),
        ("NGHỆ AN", "nghe-an"),
        ("Bộ Y tế", "bo-y-te"),
        ("bo y te", "bo-y-te"),
        ("Bộ TT&TT", "bo-thong-tin-va-truyen-thong"),
        ("BTTTT", "bo-thong-tin-va-truyen-thong"),
        ("Bộ Thông tin và Truyền thông", "bo-thong-tin-va-truyen-thong"),
        ("Ngân hàng Nhà nước Việt Nam", "ngan-hang-nha-nuoc"),
        ("Bà Rịa – Vũng Tàu", "ba-ria-vung-tau"),
        ("Ba Ria - Vung Tau", "ba-ria-vung-tau"),
        ("Thừa Thiên Huế", "thua-thien-hue"),
        ("Huế", "hue"),
    ],
)
def test_resolves_names_abbreviations_and_spellings(directory, written, slug):
    assert directory.resolve(written, on=TODAY).slug == slug


def test_names_of_abolished_provinces_resolve_to_them_as_written(directory):
    ha_giang = directory.resolve("Tỉnh Hà Giang")
    assert ha_giang.slug == "ha-giang"
    assert directory.in_force(ha_giang, TODAY).slug == "tuyen-quang"


def test_a_name_shared_over_time_resolves_to_the_agency_in_force_on_the_date(directory):
    assert directory.resolve("Đồng Nai", on=datetime.date(2025, 8, 1)).slug == "dong-nai"
    assert directory.resolve("Đồng Nai", on=TODAY).slug == "dong-nai-city"


def test_official_codes_resolve_only_with_a_date(directory):
    assert directory.resolve("15", on=datetime.date(2025, 6, 30)).slug == "yen-bai"
    assert directory.resolve("15", on=datetime.date(2025, 7, 1)).slug == "lao-cai"
    assert directory.resolve("10", on=datetime.date(2025, 6, 30)).slug == "lao-cai"
    assert directory.resolve("10", on=datetime.date(2025, 7, 1)) is None
    assert Agency.objects.get(slug="lao-cai").code_on(datetime.date(2024, 1, 1)) == "10"


def test_unknown_names_resolve_to_nothing_and_get_suggestions(directory):
    assert directory.resolve("Sở TTTT Hà Nam") is None
    assert directory.suggest("Sở TTTT Hà Nam")[0].slug == "ha-nam"
    assert "nghe-an" in [agency.slug for agency in directory.suggest("Nghe Ann")]
    assert directory.resolve("") is None
    assert directory.suggest("") == []


def test_agency_in_force_follows_chains_of_successors(directory):
    binh_phuoc = Agency.objects.get(slug="binh-phuoc")
    assert directory.in_force(binh_phuoc, datetime.date(2025, 6, 30)) == binh_phuoc
    assert directory.in_force(binh_phuoc, datetime.date(2025, 7, 1)).slug == "dong-nai"
    assert directory.in_force(binh_phuoc, TODAY).slug == "dong-nai-city"


def test_predecessors_are_every_agency_that_rolls_up_to_an_agency_through_chains(directory):
    dong_nai_city = Agency.objects.get(slug="dong-nai-city")
    slugs = [agency.slug for agency in directory.predecessors_of(dong_nai_city)]
    # Đồng Nai province became the city, after Bình Phước had merged into the province.
    assert slugs == ["dong-nai", "binh-phuoc"]
    assert [agency.slug for agency in directory.lineage(dong_nai_city)] == ["dong-nai-city", "dong-nai", "binh-phuoc"]
    assert directory.predecessors_of(Agency.objects.get(slug="ha-giang")) == []


def test_carrier_spans_say_what_in_force_says_for_every_agency_on_every_boundary_day(directory):
    spans = directory.carrier_spans()
    days = {datetime.date(2019, 1, 1), TODAY}
    for agency in directory.by_id.values():
        if agency.valid_to:
            days |= {agency.valid_to, agency.valid_to + datetime.timedelta(days=1)}

    def carrier(agency_id, day):
        covering = [
            s.carrier_id
            for s in spans
            if s.agency_id == agency_id and s.after < day and (s.until is None or day <= s.until)
        ]
        assert len(covering) <= 1
        return covering[0] if covering else agency_id

    wrong = [
        (agency.slug, day)
        for agency in directory.by_id.values()
        for day in sorted(days)
        if carrier(agency.pk, day) != directory.in_force(agency, day).pk
    ]
    assert not wrong
    assert len(spans) >= 40  # the 2025 mergers and the ministries' restructuring


def test_units_match_by_folded_name_within_their_agency():
    ha_noi = Agency.objects.get(slug="ha-noi")
    unit = Unit.objects.create(agency=ha_noi, name="Sở Thông tin và Truyền thông", abbreviations=["Sở TTTT"])
    assert resolve_unit(ha_noi, "so thong tin va truyen thong") == unit
    assert resolve_unit(ha_noi, "Sở TT&TT") == unit
    assert resolve_unit(ha_noi, "Sở Nội vụ") is None
    assert resolve_unit(ha_noi, "SỞ TTTT") == unit
    assert resolve_unit(Agency.objects.get(slug="hue"), "Sở Thông tin và Truyền thông") is None


def test_a_record_at_a_merged_province_shows_the_province_in_force_with_the_recorded_one_beside_it(directory):
    ha_giang = Agency.objects.get(slug="ha-giang")
    before = directory.as_of(ha_giang, datetime.date(2025, 6, 30))
    assert (str(before), before.changed, before.agency) == ("Hà Giang", False, ha_giang)
    after = directory.as_of(ha_giang.pk, datetime.date(2025, 7, 1))
    assert str(after) == "Tuyên Quang · recorded: Hà Giang"
    assert after.agency.slug == "tuyen-quang"
    assert after.__html__() == 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>'
    assert str(directory.as_of(ha_giang, TODAY, name="name_vi")) == "Tỉnh Tuyên Quang · recorded: Tỉnh Hà Giang"
    assert directory.as_of(None) is None


def test_the_shown_names_are_escaped_in_html(directory):
    agency = Agency.objects.create(slug="x", name_vi="<b>X</b>", short_name="<b>X</b>", kind=Agency.Kind.MINISTRY)
    assert AgencyDirectory.load().as_of(agency).__html__() == "&lt;b&gt;X&lt;/b&gt;"


def test_units_follow_their_successors_like_agencies(directory):
    ha_giang = Agency.objects.get(slug="ha-giang")
    new = Unit.objects.create(agency=ha_giang, name="Sở Khoa học và Công nghệ", valid_from=datetime.date(2025, 3, 1))
    old = Unit.objects.create(
        agency=ha_giang, name="Sở Thông tin và Truyền thông", valid_to=datetime.date(2025, 2, 28), successor=new
    )
    plain = Unit.objects.create(agency=ha_giang, name="Trung tâm CNTT-TT")
    directory = AgencyDirectory.load()
    assert str(directory.unit_as_of(old.pk, old.name, datetime.date(2025, 2, 28))) == "Sở Thông tin và Truyền thông"
    assert str(directory.unit_as_of(old.pk, old.name, TODAY)) == (
        "Sở Khoa học và Công nghệ · recorded: Sở Thông tin và Truyền thông"
    )
    assert str(directory.unit_as_of(plain.pk, plain.name, TODAY)) == "Trung tâm CNTT-TT"
    assert directory.unit_as_of(None, None) is None


def test_the_kept_directory_is_reloaded_after_an_agency_or_unit_changes(django_assert_num_queries):
    first = AgencyDirectory.cached()
    with django_assert_num_queries(0):
        assert AgencyDirectory.cached() is first
    hue = Agency.objects.get(slug="hue")
    hue.short_name = "TP. Huế"
    hue.save()
    renamed = AgencyDirectory.cached()
    assert renamed is not first and renamed.by_id[hue.pk].short_name == "TP. Huế"
    Unit.objects.create(agency=hue, name="Sở Nội vụ")
    assert AgencyDirectory.cached() is not renamed


def test_an_agency_unknown_to_a_kept_directory_is_read_on_its_own_rather_than_failing(directory):
    agency = Agency.objects.create(slug="new", name_vi="Bộ Mới", short_name="Bộ Mới", kind=Agency.Kind.MINISTRY)
    assert str(directory.as_of(agency.pk)) == "Bộ Mới"


def test_the_shown_agency_may_link_to_its_page(directory):
    after = directory.as_of(Agency.objects.get(slug="ha-giang"), datetime.date(2025, 7, 1))
    assert after.linked("/a/tuyen-quang/") == (
        '<a href="/a/tuyen-quang/" class="agency-link">Tuyên Quang</a>'
        ' <small class="muted recorded">· recorded: Hà Giang</small>'
    )
    assert directory.as_of(Agency.objects.get(slug="ha-noi")).linked("/a/<x>/") == (
        '<a href="/a/&lt;x&gt;/" class="agency-link">Hà Nội</a>'
    )
