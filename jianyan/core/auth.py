from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

DEMO_USERNAMES = {"member1", "member2", "member3", "party1", "staff1", "unit_gxj", "unit_kjj", "leader1", "admin"}


def demo_logins_allowed() -> bool:
    return settings.DEBUG or settings.JIANYAN_ALLOW_DEMO


class DemoAwareModelBackend(ModelBackend):
    """Refuses the published demo accounts on a production server unless JIANYAN_ALLOW_DEMO=1."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        profile = getattr(user, "profile", None)
        is_demo = profile is not None and profile.is_demo
        return not is_demo or demo_logins_allowed()

    def get_user(self, user_id):
        """The logged-in user of a session, with the profile and its committee, unit and organisation in the
        same query: every page reads them (role, menu, visibility)."""
        try:
            user = get_user_model()._default_manager.select_related(
                "profile__committee", "profile__unit", "profile__organisation").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes in front of the password check: a locked-out account or address is refused before its
    password is tried. A call without a request (a management command, the shell) has no address to
    count and is not a web login, so it is left to the next backend instead of failing."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
