"""Sign-in to the person's own view: separate from the professionals' sign-in
(django.contrib.auth and its backends are never used for a person). A backend
turns proof of identity into a PortalIdentity; the session module keeps it.
Today's backend is a one-time code (codes.py) sent by a pluggable code sender
(senders.py); NHS login (OpenID Connect) plugs in beside it (docs/portal.md)."""
