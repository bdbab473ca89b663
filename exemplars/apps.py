from django.apps import AppConfig


class ExemplarsConfig(AppConfig):
    name = "exemplars"
    verbose_name = "Điển hình tiên tiến"

    def ready(self) -> None:
        # Fill the report figures' exemplar rows now that exemplars exist.
        from exemplars.figures import register

        register()
