"""Material files are downloaded only through portal:material-download, under the library's rule:
public published materials for everyone, published ones for trainees and organizers, drafts
for organizers and admins; anything else is a 404."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import MaterialFactory, UserFactory

PDF = b"%PDF-1.7 Kien truc Chinh phu dien tu"

KINDS = {
    # kind: (published, public, has a file)
    "public": (True, True, True),
    "members": (True, False, True),
    "draft": (False, True, True),  # a draft stays hidden even when marked public
    "link": (True, True, False),  # nothing to download: the library links to its URL
}
PERSONAS = ["anonymous", "trainee", "other_trainee", "organizer", "admin_user"]
ALLOWED = {
    "public": {"anonymous", "trainee", "other_trainee", "organizer", "admin_user"},
    "members": {"trainee", "other_trainee", "organizer", "admin_user"},
    "draft": {"organizer", "admin_user"},
    "link": set(),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _material(course, kind: str):
    published, public, has_file = KINDS[kind]
    if not has_file:
        return MaterialFactory(course=course, title=kind, published=published, public=public)
    upload = SimpleUploadedFile("Bài giảng 1.pdf", PDF, content_type="application/pdf")
    return MaterialFactory(course=course, title=kind, published=published, public=public, url="", file=upload)


def _client_of(persona: str, client, request):
    if persona == "anonymous":
        return client
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    return client


def _download(client, material):
    return client.get(reverse("portal:material-download", args=[material.pk]))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_downloads_exactly_the_materials_the_library_allows(kind, persona, course, client, request):
    material = _material(course, kind)
    response = _download(_client_of(persona, client, request), material)
    if persona in ALLOWED[kind]:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    else:
        assert response.status_code == 404


def test_a_signed_in_user_without_a_role_downloads_public_materials_only(course, client):
    client.force_login(UserFactory(username="visitor@example.org"))
    assert _download(client, _material(course, "public")).status_code == 200
    assert _download(client, _material(course, "members")).status_code == 404


def test_the_file_comes_as_an_attachment_with_its_name_and_type(course, client):
    response = _download(client, _material(course, "public"))
    assert response["Content-Type"] == "application/pdf"
    # The storage made the name safe ("Bài_giảng_1.pdf"); non-ASCII names travel RFC 5987-encoded.
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''B%C3%A0i_gi%E1%BA%A3ng_1.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_an_unknown_id_is_not_found(organizer_client):
    assert organizer_client.get(reverse("portal:material-download", args=[900_000_999])).status_code == 404


def test_a_file_missing_from_storage_is_not_found(course, organizer_client):
    material = _material(course, "public")
    material.file.storage.delete(material.file.name)
    assert _download(organizer_client, material).status_code == 404


def test_a_download_takes_one_query_for_an_anonymous_visitor(course, client, django_assert_num_queries):
    material = _material(course, "public")
    # 1 the material, filtered by the visibility rule
    with django_assert_num_queries(1):
        assert _download(client, material).status_code == 200


def test_the_library_links_files_to_the_download_view_and_links_to_their_url(course, client):
    with_file, link = _material(course, "public"), _material(course, "link")
    page = client.get(reverse("portal:library")).content.decode()
    assert f'href="{reverse("portal:material-download", args=[with_file.pk])}"' in page
    assert f'href="{link.url}"' in page
    assert "/media/" not in page


def _listed(library) -> set[int]:
    return {
        material.pk
        for _year, courses in library.years
        for row in courses
        for _session, materials in row.sessions
        for material in materials
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_library_lists_the_files_a_persona_may_download(persona, course, client, request):
    materials = [_material(course, kind) for kind in KINDS]
    client = _client_of(persona, client, request)
    listed = _listed(client.get(reverse("portal:library")).context["library"])
    downloadable = {material.pk for material in materials if _download(client, material).status_code == 200}
    assert downloadable == {material.pk for material in materials if material.file and material.pk in listed}


def test_uploads_are_not_served_from_media_url_even_with_debug_on(settings):
    settings.DEBUG = True
    urls = importlib.reload(importlib.import_module("egovexperts.urls"))
    media = settings.MEDIA_URL.strip("/")
    assert not [pattern for pattern in urls.urlpatterns if media in str(pattern.pattern)]


def test_the_admin_links_the_current_file_to_the_download_view(course, admin_client):
    material = _material(course, "draft")
    page = admin_client.get(reverse("admin:courses_material_change", args=[material.pk])).content.decode()
    assert f'href="{reverse("portal:material-download", args=[material.pk])}"' in page
    assert "/media/" not in page
