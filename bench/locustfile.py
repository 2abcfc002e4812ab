"""The simulated users of bench/load.py: trainees and organizers, each already signed in.

bench/load.py writes the plan this file reads (BENCH_LOAD_PLAN, a JSON file): the web instances'
base URLs, a session cookie per user (created server-side, so no login form and no login rate
limit is involved), each trainee's calendar token, the held session whose attendance grid each
organizer keeps open, and the think time. The n-th user of a kind takes the n-th person of that kind and the
n-th instance in turn, so each kind is spread evenly over the instances. Every request asks for
exactly the answer a browser would get: a redirect (to the login page, say) counts as an error.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, task
from requests.cookies import create_cookie

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text())
# Accent-free queries, as people type them, and a name part each must find.
SEARCHES = [("nguyen", "Nguyễn"), ("tran thi", "Trần Thị"), ("le van", "Lê Văn"), ("pham", "Phạm"), ("dang", "Đặng")]
# Organizers correct a few marks, most of them to present, as the seed's attendance is.
MARKS = ["present"] * 6 + ["late", "absent", "excused"]
CSRF_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
GRID_ROW = re.compile(r'id="row-(\d+)"')


class SignedInUser(FastHttpUser):
    abstract = True
    host = PLAN["hosts"][0]
    wait_time = between(*PLAN["think"])
    kind = ""

    def __init__(self, environment):
        super().__init__(environment)
        n = next(self.arrivals)
        self.person = PLAN[self.kind][n % len(PLAN[self.kind])]
        self.client.base_url = PLAN["hosts"][n % len(PLAN["hosts"])]
        host = self.client.base_url.split("://", 1)[1].split(":", 1)[0]
        self.client.cookiejar.set_cookie(create_cookie(PLAN["session_cookie"], self.person["session"], domain=host))

    def fetch(self, path: str, *, name: str, expect: str, refused: str = "", method: str = "GET", **kwargs):
        """The response, failed unless it is a 200 holding `expect` (and not `refused`)."""
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            text = response.text or ""
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}".strip())
            elif expect not in text:
                response.failure(f"answered without {expect!r}")
            elif refused and refused in text:
                response.failure(f"answered with {refused!r}")
        # Browsers count loopback as a secure context and send it the cookies marked Secure (the
        # CSRF cookie of production settings); the HTTP client would keep them for HTTPS.
        for cookie in self.client.cookiejar:
            cookie.secure = False
        return response


class Trainee(SignedInUser):
    kind = "trainees"
    arrivals = itertools.count()
    fixed_count = len(PLAN["trainees"])

    @task(3)
    def schedule(self):
        # The page shows the trainee's own calendar address: the session is theirs.
        self.fetch("/me/", name="trainee schedule", expect=self.person["calendar_token"])

    @task(2)
    def calendar_feed(self):
        token = self.person["calendar_token"]
        self.fetch(f"/calendar/{token}.ics", name="calendar feed (.ics)", expect="BEGIN:VCALENDAR")


class Organizer(SignedInUser):
    kind = "organizers"
    arrivals = itertools.count()
    fixed_count = len(PLAN["organizers"])

    def on_start(self):
        self.grid = f"/courses/sessions/{self.person['session_pk']}/"
        self.open_grid()

    def open_grid(self):
        """The attendance grid, as the browser loads it: its CSRF token (the page's htmx header
        and the cookie the response sets) and the trainees of its rows."""
        response = self.fetch(self.grid, name="attendance grid", expect='id="attendance-grid"')
        token = CSRF_TOKEN.search(response.text or "")
        self.csrf_token = token.group(1) if token else ""
        self.rows = GRID_ROW.findall(response.text or "") or ["0"]

    @task(3)
    def dashboard(self):
        self.fetch("/reports/dashboard/", name="organizer dashboard", expect="<main")

    @task(3)
    def directory_search(self):
        # The directory's search box: htmx asks for the rows as the organizer types.
        query, found = random.choice(SEARCHES)
        headers = {
            "HX-Request": "true",
            "HX-Target": "trainee-rows",
            "HX-Current-URL": f"{self.client.base_url}/trainees/",
        }
        self.fetch(f"/trainees/?{urlencode({'q': query})}", name="directory search", expect=found, headers=headers)

    @task(1)
    def attendance_grid(self):
        self.open_grid()

    @task(4)
    def attendance_mark(self):
        # A status button of a row: a boosted form, posted by htmx with the page's CSRF header.
        trainee = random.choice(self.rows)
        headers = {
            "HX-Request": "true",
            "HX-Boosted": "true",
            "HX-Target": f"row-{trainee}",
            "HX-Current-URL": f"{self.client.base_url}{self.grid}",
            "X-CSRFToken": self.csrf_token,
            "Origin": self.client.base_url,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = urlencode({"status": random.choice(MARKS), "csrfmiddlewaretoken": self.csrf_token, "note": ""})
        path = f"{self.grid}attendance/{trainee}/"
        # The row comes back; with an error message in it if the mark was refused.
        expect, refused = f'id="row-{trainee}"', 'role="alert"'
        self.fetch(
            path, name="attendance mark", expect=expect, refused=refused, method="POST", data=body, headers=headers
        )
