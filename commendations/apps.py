from django.apps import AppConfig


class CommendationsConfig(AppConfig):
    name = "commendations"
    verbose_name = "Đề nghị khen thưởng, hội đồng, quyết định"
