from django.shortcuts import get_object_or_404, render

from egovexperts.permissions import organizer_required
from egovexperts.templating import render_partial

from .filters import directory, directory_page, filter_selects
from .models import Trainee

PAGE_SIZE = 50


@organizer_required
def trainee_list(request):
    filterset = directory(request.GET or None)
    page = directory_page(filterset, request.GET.get("page"), per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    rows_html = render_partial(request, "trainees/_trainee_rows.jinja", {"trainees": page.object_list})
    context = {"filter": filterset, "page": page, "query": query.urlencode(), "rows_html": rows_html}
    if not request.htmx:
        selects = filter_selects(filterset)
        context["filters_html"] = render_partial(request, "trainees/_filter_selects.jinja", {"selects": selects})
    template = "trainees/_trainee_rows.html" if request.htmx else "trainees/trainee_list.html"
    return render(request, template, context)


@organizer_required
def trainee_detail(request, pk):
    # Attendance and progress come from courses: the view joins the apps.
    from courses.selectors import trainee_profile

    trainee = get_object_or_404(Trainee.objects.with_current_post(), pk=pk)
    return render(request, "trainees/trainee_detail.html", {"trainee": trainee, **trainee_profile(trainee)})
