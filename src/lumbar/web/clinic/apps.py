from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "lumbar.web.clinic"
    verbose_name = "Clinic: therapists, invitations, the caseload, the patient record, the audit trail"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from lumbar.web.accounts import exports
        from lumbar.web.clinic import selectors

        # Remember at sign-in whether the account is a therapist's, so that every page can choose
        # its navigation from the session it reads anyway, without a query of its own.
        user_logged_in.connect(_remember_role, dispatch_uid="lumbar-clinic-role")

        # The patient sees in their export every read and change of their record by a therapist.
        exports.register_section("audit_trail", selectors.audit_rows)


def _remember_role(sender: object, request: object, user: object, **kwargs: object) -> None:
    from lumbar.web.clinic.models import Therapist

    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_THERAPIST] = Therapist.objects.filter(user=user).exists()


SESSION_THERAPIST = "lumbar_therapist"
