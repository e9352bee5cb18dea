"""What the reverse proxy in front says about a request, believed only when configured.

``TRUST_PROXY_HEADERS`` (``settings.NEWSROOM_TRUST_PROXY_HEADERS``) says whether the
only way to the app server is through a proxy that sets the forwarding headers itself.
The scheme is Django's own ``SECURE_PROXY_SSL_HEADER`` (production settings); the
client's address, for login throttling, is here.
"""

from django.conf import settings


def client_ip(request):
    """The address login attempts are counted against (django-axes' client IP callable).

    Behind a trusted proxy, the last address of ``X-Forwarded-For``: the one the proxy
    appended for the connection it received; addresses before it are whatever the
    client claimed. Otherwise the connection's own address, whatever headers say:
    a client that could choose its address could dodge any lockout.
    """
    if settings.NEWSROOM_TRUST_PROXY_HEADERS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
