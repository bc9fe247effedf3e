"""Two-factor sign-in with an authenticator app (TOTP, via django-otp)."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app the first time; afterwards, enter its code."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            error = "Enter the 6-digit code from your authenticator app"
        elif not device.verify_is_allowed()[0]:
            error = (
                "Too many wrong codes: wait a few seconds, then enter the newest code"
            )
        elif not device.verify_token(token):
            error = "The code is wrong or has expired: enter the newest code"
        else:
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = reverse("home")
            return HttpResponseRedirect(target or reverse("home"))
    context: dict[str, object] = {
        "setting_up": not device.confirmed,
        "error": error,
        "next": request.GET.get("next", request.POST.get("next", "")),
    }
    if not device.confirmed:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_svg"] = _qr_svg(device.config_url)
    return render(request, "web/two_factor.html", context, status=400 if error else 200)
