from django.urls import path

from joinedup.ucr import views

urlpatterns = [
    path("", views.queue, name="ucr_queue"),
    path("referrals/<int:referral_id>/", views.referral, name="ucr_referral"),
    path(
        "referrals/<int:referral_id>/<slug:action>",
        views.referral_action,
        name="ucr_referral_action",
    ),
    path("dashboard/", views.dashboard, name="ucr_dashboard"),
    path("figures/", views.figures, name="ucr_figures"),
    path("people/<int:person_id>/", views.person, name="ucr_person"),
]
