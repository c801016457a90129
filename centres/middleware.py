from django_scopes import scope

from .access import principal_for


class CentreMiddleware:
    """Resolves the user's centre and roles once per request (`request.principal`,
    `request.centre`) and activates the django-scopes safety net: inside the request a
    query on centre-owned data is confined to the user's centre, whatever the view does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        principal = principal_for(request.user)
        request.principal = principal
        request.centre = principal.centre
        if principal.sees_all_centres:
            centres = None  # django-scopes: no filter
        elif principal.centre is not None:
            centres = [principal.centre.pk]
        else:
            centres = []
        with scope(centre=centres):
            return self.get_response(request)
