from django.apps import AppConfig


class PhasesConfig(AppConfig):
    name = "phases"
    verbose_name = "Phases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from phases import registration

        registration.register()
