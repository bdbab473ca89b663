from django.apps import AppConfig


class PropagationConfig(AppConfig):
    name = "propagation"
    verbose_name = "Tuyên truyền và nhân rộng điển hình"
