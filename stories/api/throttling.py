"""How often an anonymous client may read the API."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from newsroom.proxy import client_ip


class AnonymousReadThrottle(AnonRateThrottle):
    """``settings.NEWSROOM_API_ANON_RATE`` requests per client address, counted in
    Django's cache.

    The rate is read when a request comes (DRF's own class reads its rates once,
    at import), and the address is the one login throttling uses
    (``newsroom.proxy.client_ip``): a client cannot pick a fresh one with a
    forged ``X-Forwarded-For``.
    """

    def get_rate(self):
        return settings.NEWSROOM_API_ANON_RATE

    def get_ident(self, request):
        return client_ip(request)
