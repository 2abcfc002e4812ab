"""Trainee accounts: created by the programme office, never by sign-up, and invited by email."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from egovexperts.notifications import outbox
from trainees.models import Trainee


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False


@transaction.atomic
def ensure_account(trainee: Trainee):
    """The trainee's user account, created without a usable password if missing."""
    if trainee.user_id:
        return trainee.user
    User = get_user_model()
    user = User.objects.filter(email__iexact=trainee.email).first()
    if user is None:
        user = User(username=trainee.email, email=trainee.email)
        user.set_unusable_password()
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=trainee.email, defaults={"primary": True, "verified": True})
    trainee.user = user
    trainee.save(update_fields=["user"])
    return user


@transaction.atomic
def invite_trainee(trainee: Trainee) -> None:
    """Queue an invitation whose link lets the trainee choose a password (allauth's reset flow)."""
    user = ensure_account(trainee)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    outbox.enqueue(
        "invitation",
        recipient=trainee.email,
        key=f"trainee:{trainee.pk}:invitation:{timezone.now().isoformat()}",
        context={"full_name": trainee.full_name, "path": path},
    )
