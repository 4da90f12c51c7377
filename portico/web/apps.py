from django.apps import AppConfig


class WebConfig(AppConfig):
    """The top layer: pages and glue that combine several apps (root URLs, the API's mount,
    the staff start page, search, the client record page, the portal home, sign-in rules,
    the sweep, the demo)."""

    name = "portico.web"
    label = "web"
