from django.urls import path

from joinedup.people.views import records as views

urlpatterns = [
    path("", views.search, name="person_search"),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/timeline/", views.person_timeline, name="person_timeline"),
]
