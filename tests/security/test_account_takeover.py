"""An organizer may not take over an account (the superuser's, a colleague's, a trainee's) by
linking it to a trainee, typing the trainee's address and sending an invitation or a reset.

Rules: a link to set a password goes only to the account's own address; a trainee is never
linked to a staff account; only superusers choose a trainee's account; a changed trainee
address does not move the account's mail."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egovexperts.notifications import delivery
from egovexperts.notifications.models import OutboundMessage
from tests.factories import TraineeFactory, UserFactory
from tests.imports.conftest import HEADERS, fingerprint, xlsx_bytes
from trainees.accounts import ensure_account, invite_trainee
from trainees.models import Trainee

PASSWORD = "correct horse battery staple"  # the factories' password
ATTACKER = "attacker@evil.example"


def _trainee_form(trainee, **changes) -> dict:
    """The admin's change form of a trainee as a browser posts it (no posts, no commitments)."""
    data = {
        "full_name": trainee.full_name,
        "email": trainee.email,
        "phone": trainee.phone,
        "email_reminders": "on",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "commitments-TOTAL_FORMS": "0",
        "commitments-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def _links_for(user) -> list[OutboundMessage]:
    """Queued messages carrying a link that sets `user`'s password, with their recipients."""
    uid = user_pk_to_url_str(user)
    return [
        message
        for message in OutboundMessage.objects.all()
        if re.search(rf"/password/reset/key/{uid}-", delivery.render(message).body)
    ]


def _resend(client, trainee):
    return client.post(reverse("portal:organizer-invitation-resend", args=[trainee.pk]), follow=True)


# --- Through the admin --------------------------------------------------------------


def test_an_organizer_cannot_link_the_superuser_to_a_trainee_and_mail_himself_its_link(organizer_client, admin_user):
    trainee = TraineeFactory(email="lan@example.org")
    change = reverse("admin:trainees_trainee_change", args=[trainee.pk])

    response = organizer_client.post(change, _trainee_form(trainee, user=admin_user.pk, email=ATTACKER))
    _resend(organizer_client, trainee)
    organizer_client.post(reverse("account_reset_password"), {"email": ATTACKER})

    assert response.status_code == 302  # saved: the organizer may correct an address, not the account
    trainee.refresh_from_db()
    assert trainee.user != admin_user
    admin_user.refresh_from_db()
    assert admin_user.email == "admin@example.org"
    assert admin_user.check_password(PASSWORD)
    assert not EmailAddress.objects.filter(user=admin_user, email__iexact=ATTACKER).exists()
    assert _links_for(admin_user) == []
    # The trainee (now at the attacker's address) got an account of their own: nobody else's.
    assert all(message.recipient != "admin@example.org" for message in OutboundMessage.objects.all())


def test_the_account_of_a_linked_trainee_stays_with_its_holder_when_an_organizer_changes_the_address(
    organizer_client, trainee
):
    account = trainee.user
    change = reverse("admin:trainees_trainee_change", args=[trainee.pk])

    organizer_client.post(change, _trainee_form(trainee, email=ATTACKER))
    page = _resend(organizer_client, trainee).content.decode()
    organizer_client.post(reverse("account_reset_password"), {"email": ATTACKER})

    trainee.refresh_from_db()
    account.refresh_from_db()
    assert (trainee.email, trainee.user) == (ATTACKER, account)
    assert account.email == "trainee@example.org"
    assert not OutboundMessage.objects.filter(recipient=ATTACKER).exists()
    (invitation,) = _links_for(account)
    assert (invitation.kind, invitation.recipient) == ("invitation", "trainee@example.org")
    assert "trainee@example.org" in page and f"on its way to {ATTACKER}" not in page
    assert "trainee@example.org" in organizer_client.get(change).content.decode()  # the account's address
    assert account.check_password(PASSWORD)


def test_a_crafted_post_of_the_account_field_by_an_organizer_changes_nothing(organizer_client, trainee):
    someone = UserFactory(email="someone@example.org")
    change = reverse("admin:trainees_trainee_change", args=[trainee.pk])

    form = organizer_client.get(change).context["adminform"].form
    response = organizer_client.post(change, _trainee_form(trainee, user=someone.pk))

    assert "user" not in form.fields
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.user.email == "trainee@example.org"


def test_an_organizer_adding_a_trainee_cannot_choose_its_account(organizer_client, admin_user):
    data = _trainee_form(Trainee(full_name="Vũ Lan", email="vu.lan@example.org"), user=admin_user.pk)

    response = organizer_client.post(reverse("admin:trainees_trainee_add"), data)

    assert response.status_code == 302
    assert Trainee.objects.get(email="vu.lan@example.org").user is None


def test_even_a_superuser_cannot_link_a_trainee_to_a_staff_account(admin_client, organizer):
    trainee = TraineeFactory(email="lan@example.org")
    change = reverse("admin:trainees_trainee_change", args=[trainee.pk])

    response = admin_client.post(change, _trainee_form(trainee, user=organizer.pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    trainee.refresh_from_db()
    assert trainee.user is None


def test_a_superuser_links_a_trainee_to_a_trainee_account(admin_client):
    account = UserFactory(email="lan@example.org")
    trainee = TraineeFactory(email="lan@example.org")

    response = admin_client.post(
        reverse("admin:trainees_trainee_change", args=[trainee.pk]), _trainee_form(trainee, user=account.pk)
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.user == account


@pytest.mark.parametrize("persona", ["admin_client", "organizer_client"])
def test_the_account_autocomplete_lists_no_staff_account(request, persona, organizer, admin_user):
    client = request.getfixturevalue(persona)
    UserFactory(username="lan@example.org")
    url = reverse("admin:autocomplete")
    query = {"app_label": "trainees", "model_name": "trainee", "field_name": "user", "term": "example"}

    response = client.get(url, query)

    listed = {result["text"] for result in response.json()["results"]} if response.status_code == 200 else set()
    assert not listed & {"admin@example.org", "organizer@example.org"}
    if persona == "admin_client":
        assert listed == {"lan@example.org"}


def test_a_trainee_linked_to_a_staff_account_fails_validation(organizer):
    trainee = TraineeFactory.build(user=organizer)
    with pytest.raises(ValidationError):
        trainee.full_clean()


# --- Password reset asked for the trainee's address ------------------------------------


def test_a_reset_asked_for_an_address_the_account_has_not_verified_sends_no_link(client, trainee):
    # allauth finds accounts by unverified addresses too, and would mail their link to that address.
    EmailAddress.objects.create(user=trainee.user, email=ATTACKER, verified=False, primary=False)

    client.post(reverse("account_reset_password"), {"email": ATTACKER})

    assert not OutboundMessage.objects.exists()


def test_a_reset_asked_for_the_account_address_is_sent(client, trainee):
    client.post(reverse("account_reset_password"), {"email": trainee.email})

    (message,) = _links_for(trainee.user)
    assert message.recipient == trainee.email


# --- Trainee-list import ---------------------------------------------------------------


def _upload(client, rows, **data):
    file = SimpleUploadedFile("danh-sach.xlsx", xlsx_bytes(rows, HEADERS))
    return client.post(reverse("imports:import-preview"), {"kind": "trainees", "file": file, **data})


def _hidden_fields(response) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.content.decode()))


def test_an_import_with_invitations_refuses_a_row_with_a_staff_address(organizer_client, admin_user):
    chief = UserFactory(username="chief@example.org", is_staff=True)
    rows = [["Trưởng Ban", "CHIEF@example.org"], ["Quản Trị", "admin@example.org"], ["Vũ Lan", "lan@example.org"]]
    before = fingerprint()

    preview = _upload(organizer_client, rows, invite="on")
    organizer_client.post(reverse("imports:import-confirm"), _hidden_fields(preview))

    page = preview.content.decode()
    assert "chief@example.org is the address of a staff account" in page
    assert "admin@example.org is the address of a staff account" in page
    assert "Confirm the import" not in page
    assert fingerprint() == before
    assert not Trainee.objects.filter(user__in=[chief, admin_user]).exists()
    assert not OutboundMessage.objects.exists()


def test_an_import_without_invitations_creates_the_trainee_without_an_account(organizer_client):
    chief = UserFactory(username="chief@example.org", is_staff=True)

    preview = _upload(organizer_client, [["Trưởng Ban", "chief@example.org"]])
    organizer_client.post(reverse("imports:import-confirm"), _hidden_fields(preview))
    _resend(organizer_client, Trainee.objects.get())

    assert Trainee.objects.get().user is None
    assert not Trainee.objects.filter(user=chief).exists()
    assert not OutboundMessage.objects.exists()


# --- Services and commands -------------------------------------------------------------


def test_ensure_account_refuses_the_address_of_a_staff_account(organizer):
    trainee = TraineeFactory(email=organizer.email)

    with pytest.raises(ValidationError, match="staff account"):
        ensure_account(trainee)

    trainee.refresh_from_db()
    assert trainee.user is None
    assert not EmailAddress.objects.filter(user=organizer).exists()


def test_ensure_account_refuses_an_account_someone_signs_in_to(db):
    user = UserFactory(email="lan@example.org")  # has a password
    trainee = TraineeFactory(email="lan@example.org")

    with pytest.raises(ValidationError, match="only an administrator can link it"):
        invite_trainee(trainee)

    assert Trainee.objects.get(pk=trainee.pk).user is None
    assert _links_for(user) == []


def test_ensure_account_refuses_the_account_of_another_trainee(trainee):
    address = trainee.email
    trainee.email = "moved@example.org"  # an organizer edits the trainee's address...
    trainee.save()
    newcomer = TraineeFactory(email=address)  # ...and gives the old one to a new trainee

    with pytest.raises(ValidationError, match="another trainee"):
        invite_trainee(newcomer)

    assert Trainee.objects.get(pk=newcomer.pk).user is None
    assert not OutboundMessage.objects.exists()


def test_ensure_account_takes_up_an_invited_account_left_without_trainee(db):
    first = TraineeFactory(email="lan@example.org")
    user = ensure_account(first)
    first.delete()  # an import reverted, say: the account stays, without a password
    again = TraineeFactory(email="lan@example.org")

    assert ensure_account(again) == user
    assert Trainee.objects.get(pk=again.pk).user == user


def test_an_invitation_of_a_trainee_already_linked_to_a_staff_account_is_not_sent(organizer):
    trainee = TraineeFactory(email="lan@example.org")
    Trainee.objects.filter(pk=trainee.pk).update(user=organizer)  # linked before the rule held

    with pytest.raises(ValidationError):
        invite_trainee(Trainee.objects.get(pk=trainee.pk))

    assert not OutboundMessage.objects.exists()


def test_the_resend_button_shows_the_refusal_instead_of_failing(organizer_client, organizer):
    trainee = TraineeFactory(email=organizer.email)

    response = _resend(organizer_client, trainee)

    assert response.status_code == 200
    assert "is the address of a staff account" in response.content.decode()
    assert not OutboundMessage.objects.exists()
