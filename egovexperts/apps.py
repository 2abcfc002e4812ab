from django.apps import AppConfig


class EgovexpertsConfig(AppConfig):
    name = "egovexperts"
    verbose_name = "egovexperts"

    def ready(self):
        # Wired from above: the outbox and the domain apps import neither the portal nor reports.
        from cohorts.selectors import PROGRESS_OF_ENROLMENTS
        from courses.selectors import cohort_progress, trainee_learning
        from egovexperts.notifications import attachments, planning
        from egovexperts.portal.calendar import session_attachment
        from egovexperts.reports.digest import weekly_digest
        from trainees.selectors import PROFILE_SECTIONS

        for kind in ("session_reminder", "session_changed"):
            attachments.register(kind, session_attachment)  # the event, with its UID and SEQUENCE
        planning.register("weekly_digest", weekly_digest)
        # Pages of lower apps that show what courses computes.
        PROFILE_SECTIONS.append(trainee_learning)
        PROGRESS_OF_ENROLMENTS.append(cohort_progress)
