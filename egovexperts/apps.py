from django.apps import AppConfig


class EgovexpertsConfig(AppConfig):
    name = "egovexperts"
    verbose_name = "egovexperts"
