from courses.models import Course

from .models import ImportRun


def recent_runs(limit: int = 20) -> list[ImportRun]:
    return list(ImportRun.objects.select_related("created_by").defer("rows", "changes")[:limit])


def courses_for_export():
    return Course.objects.select_related("cohort").order_by("-cohort__starts_on", "code")


def run_rows(run: ImportRun, limit: int = 1000) -> list[dict]:
    """The recorded rows that did something (new or updated), at most `limit` of them."""
    return [row for row in run.rows if row["outcome"] != "unchanged"][:limit]
