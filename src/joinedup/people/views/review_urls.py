from django.urls import path

from joinedup.people.views import review as review_views

urlpatterns = [
    path("", review_views.review_list, name="review_list"),
    path("<int:candidate_id>/", review_views.review_detail, name="review_detail"),
]
