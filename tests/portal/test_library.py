from django.urls import reverse

from tests.factories import CourseFactory, MaterialFactory, SessionFactory


def _materials():
    course = CourseFactory(code="CPĐT-300", title="Dữ liệu mở", year=2022)
    session = SessionFactory(course=course, title="Buổi về dữ liệu", lecturers="TS. Hồ Đức Thắng")
    MaterialFactory(course=course, session=session, title="Bài giảng công khai", public=True)
    MaterialFactory(course=course, title="Tài liệu cho học viên")
    MaterialFactory(course=course, title="Bản nháp", published=False)
    MaterialFactory(course=CourseFactory(year=2023), title="Năm sau công khai", public=True)


def test_anonymous_visitors_see_public_published_materials_only(client, db):
    _materials()
    page = client.get(reverse("portal:library")).content.decode()
    assert "Bài giảng công khai" in page and "Năm sau công khai" in page
    assert "Tài liệu cho học viên" not in page
    assert "Bản nháp" not in page


def test_trainees_see_every_published_material(trainee_client):
    _materials()
    page = trainee_client.get(reverse("portal:library")).content.decode()
    assert "Bài giảng công khai" in page and "Tài liệu cho học viên" in page
    assert "Bản nháp" not in page


def test_organizers_also_see_unpublished_materials(organizer_client):
    _materials()
    page = organizer_client.get(reverse("portal:library")).content.decode()
    assert "Bản nháp" in page


def test_search_ignores_accents_and_finds_lecturers(client, db):
    _materials()
    by_title = client.get(reverse("portal:library"), {"q": "bai giang cong"}).content.decode()
    by_lecturer = client.get(reverse("portal:library"), {"q": "thang"}).content.decode()
    assert "Bài giảng công khai" in by_title and "Năm sau công khai" not in by_title
    assert "Bài giảng công khai" in by_lecturer


def test_the_year_filter_keeps_one_year_and_bad_input_is_ignored(client, db):
    _materials()
    response = client.get(reverse("portal:library"), {"year": "2023"})
    assert [year for year, _courses in response.context["library"].years] == [2023]
    assert client.get(reverse("portal:library"), {"year": "abc"}).status_code == 200


def _library_queries(client, django_assert_num_queries):
    # 1 materials with course and session (no session or user for an anonymous visitor).
    with django_assert_num_queries(1):
        assert client.get(reverse("portal:library")).status_code == 200


def test_the_library_takes_one_query_for_3_or_30_materials(client, db, django_assert_num_queries):
    course = CourseFactory()
    MaterialFactory.create_batch(3, course=course, session=SessionFactory(course=course), public=True)
    _library_queries(client, django_assert_num_queries)
    for _ in range(9):
        other = CourseFactory()
        MaterialFactory.create_batch(3, course=other, session=SessionFactory(course=other), public=True)
    _library_queries(client, django_assert_num_queries)
