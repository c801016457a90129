from .roles import principal_for
from .scoping import scope_for


class CentreMiddleware:
    """Resolves the user's centre and roles once per request (`request.principal`,
    `request.centre`) and opens the django-scopes safety net for the request: inside it a
    query on centre-owned data is confined to the user's centre, whatever the view does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        principal = principal_for(request.user)
        request.principal = principal
        request.centre = principal.centre
        with scope_for(request.user):
            return self.get_response(request)
