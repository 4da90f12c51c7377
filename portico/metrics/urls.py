from django.urls import path

from portico.metrics import views

org_urlpatterns = [
    path("metrics/", views.metric_list, name="metric_list"),
    path("metrics/new/", views.metric_new, name="metric_new"),
    path("metrics/<int:metric_id>/edit/", views.metric_edit, name="metric_edit"),
    path("metrics/<int:metric_id>/delete/", views.metric_delete, name="metric_delete"),
    path("metrics/recalculate/", views.scores_recalculate, name="scores_recalculate"),
    path("customers/<int:customer_id>/score/", views.customer_score_update, name="customer_score_update"),
    path("customers/<int:customer_id>/score/panel/", views.customer_score_panel, name="customer_score_panel"),
    path("customers/<int:customer_id>/metrics/", views.customer_metric_values, name="customer_metric_values"),
]
