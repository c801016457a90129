from django.shortcuts import render

from .access import NATIONAL, STAFF, access
from .models import Centre


@access(STAFF, NATIONAL)
def centre_list(request):
    centres = Centre.objects.visible_to(request.user).select_related("province")
    return render(request, "centres/centre_list.html", {"centres": centres})


@access(STAFF, NATIONAL, model=Centre)
def centre_detail(request, centre):
    return render(request, "centres/centre_detail.html", {"centre": centre})
