"""The demo organization's names and logins (plain data: `make run` prints them)."""

DEMO_PASSWORD = "portico-demo-2026"  # noqa: S105 (published demo login)
DEMO_ORG = ("Northwind Community Services", "northwind")
DEMO_USERS = [
    # email, name, role (None: support operator)
    ("admin@northwind.example", "Alex Admin", "Admin"),
    ("nina@northwind.example", "Nina Navigator", "Navigator"),
    ("sam@northwind.example", "Sam Sales", "Sales"),
    ("support@portico.example", "Sofia Support", None),
]
