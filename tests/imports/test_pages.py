from django.urls import reverse

from egovexperts.imports import services
from tests.factories import CourseFactory
from tests.imports.conftest import xlsx


def make_runs(organizer, count):
    for n in range(count):
        rows = [[f"Người {n}-{i}", f"p{n}-{i}@example.org"] for i in range(3)]
        services.confirm(xlsx(rows, headers=["Họ và tên", "Email"]), kind="trainees", user=organizer)
    CourseFactory.create_batch(count)


def test_import_page_queries_do_not_grow_with_the_log(organizer_client, organizer, django_assert_max_num_queries):
    make_runs(organizer, 2)
    # session, user, groups (organizer check), user and group permissions, trainee link of the navigation,
    # the import log with its users, courses with cohorts for the upload form and for the export links
    with django_assert_max_num_queries(9):
        assert organizer_client.get(reverse("imports:index")).status_code == 200
    make_runs(organizer, 18)
    with django_assert_max_num_queries(9):
        page = organizer_client.get(reverse("imports:index")).content.decode()
    assert page.count("/imports/runs/") == 20


def test_run_page_queries_do_not_grow_with_its_rows(organizer_client, organizer, django_assert_max_num_queries):
    small = services.confirm(
        xlsx([["An", "an@example.org"]], headers=["Họ và tên", "Email"]), kind="trainees", user=organizer
    )
    rows = [[f"Người {i}", f"p{i}@example.org"] for i in range(300)]
    large = services.confirm(xlsx(rows, headers=["Họ và tên", "Email"]), kind="trainees", user=organizer)
    for run in (small, large):
        # session, user, groups, user and group permissions, the run with its users, navigation
        with django_assert_max_num_queries(7):
            assert organizer_client.get(reverse("imports:run-detail", args=[run.pk])).status_code == 200
