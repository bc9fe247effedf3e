from django.urls import path

from joinedup.people import views

urlpatterns = [
    path("", views.search, name="person_search"),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/timeline/", views.person_timeline, name="person_timeline"),
]
