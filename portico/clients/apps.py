from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "portico.clients"
    label = "clients"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from portico.clients import bulk, receivers
        from portico.clients.search import sqlite_fts_triggers_ensure, sqlite_functions_register

        receivers.connect()
        bulk.register()
        # SQLite: portico_fold() for the client search index (see clients/search.py).
        connection_created.connect(sqlite_functions_register, dispatch_uid="portico_clients_sqlite_functions")
        post_migrate.connect(sqlite_fts_triggers_ensure, sender=self, dispatch_uid="portico_clients_fts_triggers")
