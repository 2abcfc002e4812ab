from django.shortcuts import get_object_or_404, render

from egovexperts.permissions import organizer_required

from . import selectors


@organizer_required
def cohort_list(request):
    return render(request, "cohorts/cohort_list.html", {"cohorts": selectors.cohort_list()})


@organizer_required
def cohort_detail(request, pk):
    cohort = get_object_or_404(selectors.cohort_list(), pk=pk)
    enrolments = selectors.cohort_enrolments(cohort)
    return render(request, "cohorts/cohort_detail.html", {"cohort": cohort, "enrolments": enrolments})
