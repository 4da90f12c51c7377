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

DEMO_CLIENTS = [
    ("José Martínez Núñez", "jose.martinez@example.org", "+525512345678"),
    ("Ana Sofía López", "ana.lopez@example.org", "+525598765432"),
    ("Mark Thompson", "mark@example.com", "+14155550123"),
    ("María Fernanda García", "mafe.garcia@example.org", "+525511112222"),
    ("Luis Hernández", "", "+525533334444"),
    ("Grace Okafor", "grace.okafor@example.com", ""),
    ("Sergio Ramírez Peña", "sergio.rp@example.org", "+528112345678"),
    ("Lucía Domínguez", "lucia.dominguez@example.org", "+523312345678"),
    ("Chen Wei", "chen.wei@example.com", "+14155550199"),
    ("Rosa Elena Castillo", "rosa.castillo@example.org", "+525544445555"),
    ("Construcciones del Norte SA de CV", "contacto@cnorte.example.mx", "+528187654321"),
    ("Pedro Álvarez", "pedro.alvarez@example.org", "+525566667777"),
]

# Website leads (seed 003): name, email, mobile, service, message, source.
DEMO_LEADS = [
    (
        "Valeria Ortiz",
        "valeria.ortiz@example.org",
        "+525522223333",
        "Benefits advice",
        "Can you help with my pension?",
        "form",
    ),
    ("Tom Becker", "tom.becker@example.com", "", "Legal clinic", "A question about my lease.", "form"),
    ("Daniela Ruiz", "", "+525577778888", "Housing support", "Looking for help after an eviction notice.", "referral"),
]

# The service agreement sent when a client approves an estimate (merge fields filled then).
DEMO_AGREEMENT = """<h2>Service agreement</h2>
<p>This agreement is between {{ organization.name }} and {{ client.name }}, made on {{ today }}.</p>
<h3>Scope of work</h3>
<p>{{ estimate.scope }}</p>
{{ estimate.lines }}
<p>Total: <strong>{{ estimate.total }}</strong></p>
<h3>Terms</h3>
<ol><li>We carry out the work described above with care and on the dates agreed with you.</li>
<li>You may cancel free of charge up to 48 hours before the first session.</li>
<li>Invoices are charged to the payment method you keep on file.</li></ol>"""

# Company customers (seed 002): legal name, trade name, RFC/EIN (valid check digits), what happens
# next: "partial" stays PAIN, "complete" is filled in (ACTV), "inactive" is complete then deactivated.
DEMO_CUSTOMERS = [
    ("Constructora Andina S.A. de C.V.", "Andina Obras", "CAN850312K41", "partial"),
    ("Transportes del Río S. de R.L. de C.V.", "Río Logística", "TRA100715BX4", "complete"),
    ("Alimentos Norteños S.A.P.I. de C.V.", "Norteños", "ALN920105M2A", "inactive"),
]
