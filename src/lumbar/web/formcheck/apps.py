from django.apps import AppConfig


class FormCheckConfig(AppConfig):
    name = "lumbar.web.formcheck"
    # The form checks' tables are the records app's ("care"); this app has none of its own.
    label = "formcheck"
    verbose_name = "Form check: the camera coach in the session player and video uploads"

    def ready(self) -> None:
        from lumbar.web.accounts import exports
        from lumbar.web.formcheck import services, uploads
        from lumbar.web.records import selectors
        from lumbar.web.security import tasks

        # The person's export holds their form checks: the verdicts and the keypoints kept.
        exports.register_section("form_checks", selectors.form_check_export_rows)
        # Nothing is left behind by a set nobody finished or an analysis that stopped mid-way.
        tasks.register_purge("abandoned_live_checks", services.finish_abandoned)
        tasks.register_purge("stale_uploads", uploads.sweep_stale_uploads)
