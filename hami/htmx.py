"""htmx requests: which ones get a fragment, and telling caches that the answer depends on it."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

# A page that answers htmx with a fragment answers differently depending on these headers;
# a cache (the browser's included) must keep the two answers apart.
HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def swaps_a_fragment(request) -> bool:
    """Whether htmx asks to swap a part of the page. A history restore (htmx found no copy
    of the page in its cache after Back) replaces the whole body: it needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page_or_fragment(request, template_name: str, fragment: str, context=None):
    """The whole page, or only its `{% partialdef fragment %}` when htmx swaps that part;
    `Vary` names the headers the choice depends on."""
    if swaps_a_fragment(request):
        template_name = f"{template_name}#{fragment}"
    response = render(request, template_name, context)
    patch_vary_headers(response, HTMX_HEADERS)
    return response
