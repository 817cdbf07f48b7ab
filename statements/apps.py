from django.apps import AppConfig
from django.db.backends.signals import connection_created


class StatementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "statements"
    verbose_name = "Statements"

    def ready(self) -> None:
        from statements.models import register_sqlite_functions

        # name_key() in SQL on SQLite: the case-insensitive constraints and searches need it
        connection_created.connect(register_sqlite_functions, dispatch_uid="statements_name_key")
