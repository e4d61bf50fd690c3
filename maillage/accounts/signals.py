from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from maillage.accounts import journal


@receiver(user_logged_in)
def journal_login(sender, request, user, **kwargs):
    journal.record(journal.Action.LOGIN, actor=user)


@receiver(user_logged_out)
def journal_logout(sender, request, user, **kwargs):
    if user is not None:
        journal.record(journal.Action.LOGOUT, actor=user)


@receiver(user_login_failed)
def journal_failed_login(sender, credentials, request=None, **kwargs):
    # Only the address that was typed: never the password.
    journal.record(journal.Action.LOGIN_FAILED, attempted_email=str(credentials.get("username", ""))[:254])
