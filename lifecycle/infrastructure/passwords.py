"""Framework glue of passwords: every password change revokes the user's API tokens.

Why a password "validator": Django calls `password_changed()` of every entry of
AUTH_PASSWORD_VALIDATORS from `AbstractBaseUser.save()` whenever `set_password()` was called
before it, which is every way a password changes: the change form, a reset link, the admin's
password form, `manage.py changepassword`, and any code that sets one. It is not called for the
silent rehash Django does at sign-in when the hashing parameters change (that is no new password),
unlike a `post_save` receiver, which could not tell the two apart. Views calling the service
themselves would miss the admin and the management command. The rule itself is one service,
`tokens_revoke_all`; this class only connects it.
"""

from __future__ import annotations

from typing import Any


class PasswordChangeRevokesTokens:
    """Listed in AUTH_PASSWORD_VALIDATORS; accepts every password."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from lifecycle.services import tokens_revoke_all

        tokens_revoke_all(user=user, reason="password changed")

    def get_help_text(self) -> str:
        return "Setting a new password revokes every API token of the account."
