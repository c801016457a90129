from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import NATIONAL, STAFF, access
from .forms import CourseFilter, CourseForm
from .models import Centre, Course

COURSES_PER_PAGE = 50


def _with_trainees(courses):
    """Each course with `trainees`: how many of its enrolments are in training now."""
    return courses.select_related("trade", "centre").annotate(
        trainees=Count("enrolments", filter=Q(enrolments__state="training"))
    )


@access(STAFF, NATIONAL)
def centre_list(request):
    centres = Centre.objects.visible_to(request.user).select_related("province")
    return render(request, "centres/centre_list.html", {"centres": centres})


@access(STAFF, NATIONAL, model=Centre)
def centre_detail(request, centre):
    memberships = centre.memberships.select_related("user").order_by("role", "user__last_name")
    courses = _with_trainees(
        Course.objects.filter(centre=centre).open_for_enrolment(timezone.localdate())
    ).order_by("starts_on", "title", "pk")
    return render(
        request,
        "centres/centre_detail.html",
        {"centre": centre, "memberships": memberships, "courses": courses},
    )


@access(STAFF, NATIONAL)
def course_list(request):
    courses = _with_trainees(Course.objects.visible_to(request.user)).order_by(
        "-starts_on", "title", "pk"
    )
    course_filter = CourseFilter(request.GET or None, queryset=courses, request=request)
    page = Paginator(course_filter.qs, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "centres/course_list.html",
        {
            "filter": course_filter,
            "page": page,
            "courses": page.object_list,
            "show_centre": request.principal.sees_all_centres,
        },
    )


@access(STAFF)
def course_create(request):
    form = CourseForm(request.POST or None, instance=Course(centre=request.principal.centre))
    if form.is_valid() and (saved := form.save_unless_duplicate()):
        messages.success(request, _("The course “%(title)s” was added.") % {"title": saved})
        return redirect("centres:courses")
    return render(request, "centres/course_form.html", {"form": form, "course": None})


@access(STAFF, model=Course)
def course_edit(request, course):
    saved_title = course.title  # the form changes the instance while it validates
    form = CourseForm(request.POST or None, instance=course)
    if form.is_valid() and (saved := form.save_unless_duplicate()):
        messages.success(request, _("The course “%(title)s” was saved.") % {"title": saved})
        return redirect("centres:courses")
    return render(
        request,
        "centres/course_form.html",
        {"form": form, "course": course, "saved_title": saved_title},
    )
