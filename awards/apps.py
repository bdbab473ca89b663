from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "awards"
    verbose_name = "Khen thưởng"
