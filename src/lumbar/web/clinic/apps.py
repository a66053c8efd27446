from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "lumbar.web.clinic"
    verbose_name = "Clinic: therapists, invitations, the caseload, the patient record, the audit trail"

    def ready(self) -> None:
        from lumbar.web.accounts import exports
        from lumbar.web.clinic import selectors

        # The patient sees in their export every read and change of their record by a therapist.
        exports.register_section("audit_trail", selectors.audit_rows)
