from django.urls import path

from joinedup.discharge import views

urlpatterns = [
    path("board/", views.board, name="discharge_board"),
    path("dashboard/", views.dashboard, name="discharge_dashboard"),
    path("sitrep/", views.sitrep, name="discharge_sitrep"),
    path("people/<int:person_id>/", views.person, name="discharge_person"),
    path("stays/<int:stay_id>/ready/", views.ready, name="discharge_ready"),
    path("stays/<int:stay_id>/delay/", views.delay, name="discharge_delay"),
    path("stays/<int:stay_id>/notice/", views.notice, name="discharge_notice"),
]
