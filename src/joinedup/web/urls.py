from django.contrib.auth import views as auth_views
from django.urls import path

from joinedup.web import two_factor, views
from joinedup.web.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "account/login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/role/", views.role_choose, name="role_choose"),
    path("account/two-factor/", two_factor.two_factor, name="two_factor"),
]
