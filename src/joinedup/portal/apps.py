from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "joinedup.portal"
    verbose_name = "The person's own view"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from joinedup.portal.auth.session import portal_forget_on_staff_login

        # A staff sign-in in a browser that holds a person's session ends the
        # person's session: the two never mix.
        user_logged_in.connect(portal_forget_on_staff_login, dispatch_uid="portal")
