"""Trainee accounts: created by the programme office, never by sign-up, and invited by email."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from egovexperts.notifications import outbox
from trainees.models import Trainee


class AccountAdapter(DefaultAccountAdapter):
    # allauth has no Vietnamese catalogue: the messages a trainee can meet are declared here
    # with allauth's own wording, so that ours translates them.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("The email address and/or password you specified are not correct."),
        "too_many_login_attempts": _("Too many failed login attempts. Try again later."),
    }

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        """A password reset link goes through the outbox like every message: sent by a worker,
        retried if the mail server is down, in the language of the page that asked for it."""
        if template_prefix != "account/email/password_reset_key":
            return super().send_mail(template_prefix, email, context)
        path = urlsplit(context["password_reset_url"]).path
        outbox.enqueue(
            "password_reset",
            recipient=email,
            key=f"password-reset:{timezone.now().isoformat()}",
            secret_context={"path": path},  # the link is a credential: erased once sent
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )


# Labels and notices of allauth's forms and pages, translated in our catalogue (see above).
ALLAUTH_TEXTS = [
    gettext_noop("Remember Me"),
    gettext_noop("Email address"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    gettext_noop("Password successfully set."),
    gettext_noop("Password successfully changed."),
]


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
        context={"full_name": trainee.full_name},
        secret_context={"path": path},  # the link is a credential: erased once sent
    )
