import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings_test")
import django; django.setup()
from bench import scores
org = scores._org().org
print(scores.seed_customers(org, int(os.environ["N"])))
scores.seed_metrics(org, int(os.environ["N"]) // 2)
