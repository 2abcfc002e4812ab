"""The daily search index of posts, run by a real worker."""

import time

from tests.factories import AssignmentFactory, agency
from trainees.models import Trainee
from trainees.tasks import index_posts


def test_the_worker_brings_the_search_in_line_with_the_posts_held_today(start_worker):
    post = AssignmentFactory(agency=agency("ha-noi"), trainee__full_name="Lương Thảo")
    # A post written behind the services' back, as a day turning over leaves the index behind.
    Trainee.objects.filter(pk=post.trainee_id).update(current_post=None, post_search_text="")
    assert list(Trainee.objects.search("ha noi")) == []
    start_worker()
    index_posts.delay()
    deadline = time.monotonic() + 20
    while not Trainee.objects.search("ha noi").exists():
        assert time.monotonic() < deadline, "the worker did not run the job"
        time.sleep(0.2)
    assert Trainee.objects.get().current_post == post
