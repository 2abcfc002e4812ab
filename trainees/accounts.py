"""Trainee accounts: created by the programme office, never by sign-up, and invited by email."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
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

    def get_client_ip(self, request):
        """The address login limits count against: allauth's reading of X-Forwarded-For behind
        TRUSTED_PROXY_COUNT proxies. A request carrying fewer entries than there are proxies did
        not come through them all (allauth raises there): it counts against the peer that sent it."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            return request.META["REMOTE_ADDR"]

    def send_mail(self, template_prefix, email, context):
        """A password reset link goes through the outbox like every message: sent by a worker,
        retried if the mail server is down, in the language of the page that asked for it."""
        if template_prefix != "account/email/password_reset_key":
            return super().send_mail(template_prefix, email, context)
        if not is_own_address(context["user"], email):
            # allauth mails the address that was typed to every account it finds by it; a link to
            # set an account's password goes only to an address the account itself holds.
            return None
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


def _accounts_with_address(emails: list[str]):
    """Accounts allauth would find by any of these (lower-case) addresses: their email, a username
    equal to one (creating an account would collide with it) or one of their allauth addresses."""
    User = get_user_model()
    addresses = EmailAddress.objects.annotate(address=Lower("email")).filter(address__in=emails)
    return (
        User.objects.annotate(own=Lower("email"), login=Lower("username"))
        .filter(Q(own__in=emails) | Q(login__in=emails) | Q(pk__in=addresses.values("user_id")))
        .select_related("trainee")
        .prefetch_related("emailaddress_set")
    )


def _addresses(user) -> set[str]:
    return {user.own, user.login, *(address.email.lower() for address in user.emailaddress_set.all())}


def account_email(user) -> str:
    """Where the account's mail goes: its primary allauth address, else the user's email.

    Never the trainee record's address: organizers type that one, and changing it does not move
    the account's mail (the account holder changes their own address, signed in)."""
    primary = EmailAddress.objects.filter(user=user, primary=True).values_list("email", flat=True).first()
    return primary or user.email


def is_own_address(user, email: str) -> bool:
    """Whether `email` is the account's email or one of its verified addresses."""
    if email.lower() == (user.email or "").lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def refusal(accounts: list, email: str) -> str:
    """Why a trainee without an account may not take the existing `accounts` found by their
    address ("": the one account found may be theirs).

    An address is no proof of ownership here: organizers type trainees' addresses. A staff
    account is never a trainee's; an account someone signs in to, a deactivated one or another
    trainee's is linked only by a superuser in the admin. Only an account as an invitation leaves
    it (no password yet, for that very address, linked to nobody) is taken up again: the
    invitation of a trainee whose import was reverted, say."""
    if any(user.is_staff or user.is_superuser for user in accounts):
        return _("%(email)s is the address of a staff account: a trainee cannot use it.") % {"email": email}
    if any(getattr(user, "trainee", None) is not None for user in accounts):
        return _("%(email)s is the address of another trainee's account.") % {"email": email}
    user = accounts[0]
    if len(accounts) > 1 or user.has_usable_password() or not user.is_active or user.email.lower() != email:
        return _(
            "An account with the address %(email)s already exists: only an administrator can link it to a trainee."
        ) % {"email": email}
    return ""


def invitation_refusals(emails: list[str]) -> dict[str, str]:
    """Why no invitation could go to each of these new trainees' addresses (an import's preview)."""
    emails = sorted({email.lower() for email in emails})
    found: dict[str, list] = {}
    for start in range(0, len(emails), 2000):  # each address is a parameter three times
        chunk = emails[start : start + 2000]
        for user in _accounts_with_address(chunk):
            for email in _addresses(user) & set(chunk):
                found.setdefault(email, []).append(user)
    refused = {email: refusal(accounts, email) for email, accounts in found.items()}
    return {email: message for email, message in refused.items() if message}


@transaction.atomic
def ensure_account(trainee: Trainee):
    """The trainee's user account, created without a usable password if missing.

    Raises ValidationError rather than link the trainee to an account that is not theirs (see
    refusal()). The trainee row is locked, so that two invitations at once open one account."""
    locked = Trainee.objects.select_for_update().get(pk=trainee.pk)
    if locked.user_id:
        locked.clean()  # an account linked before the rule held is not used
        trainee.user = locked.user
        return locked.user
    email = locked.email.lower()
    found = list(_accounts_with_address([email]))
    message = refusal(found, email) if found else ""
    if message:
        raise ValidationError(message)
    if found:
        user = found[0]
    else:
        User = get_user_model()
        user = User(username=email, email=email)
        user.set_unusable_password()
        user.save()
    # Only the account's own address is recorded for allauth, which finds accounts by it.
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    locked.user = user
    locked.clean()
    locked.save(update_fields=["user"])
    trainee.user = user
    return user


@transaction.atomic
def invite_trainee(trainee: Trainee) -> str:
    """Queue an invitation whose link lets the trainee choose a password (allauth's reset flow).

    The link goes to the account's own address, which may differ from the trainee's when the
    account holder changed it or an organizer edited the trainee: a link to set the password
    of an account is never sent to an address that is not the account's. Returns the address."""
    user = ensure_account(trainee)
    recipient = account_email(user)
    if not recipient:
        raise ValidationError(_("The account of %(name)s has no email address.") % {"name": trainee.full_name})
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    outbox.enqueue(
        "invitation",
        recipient=recipient,
        key=f"trainee:{trainee.pk}:invitation:{timezone.now().isoformat()}",
        context={"full_name": trainee.full_name},
        secret_context={"path": path},  # the link is a credential: erased once sent
    )
    return recipient
