"""One client of the load benchmark: a user in a browser, reading pages and making changes.

A client logs in, then takes steps picked at random (with a seed of its own, so runs repeat)
until its time or its number of requests is up: the unit's matrix, its register, "my duties",
a device's page and, for those who manage the unit, hand-out scans and assignment edits. Each
response is checked as a person would check it: the page came (200), the form was accepted (a
redirect), the scan said ✓. Whatever else happened is an error, with what was seen. Every write
the client saw succeed is remembered, for the database to be checked against afterwards.
"""

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from _http import Browser, path_of

# The first start date an edit gives a client's assignment; each edit moves it a day on.
FIRST_START = date(2015, 8, 1)
MAX_ERRORS_KEPT = 5


@dataclass
class Plan:
    """What one client does: who it logs in as, the unit it works at, what it may change."""

    index: int
    username: str
    password: str
    unit: str  # the slug of the unit whose pages it reads
    device: str  # the asset tag of a device whose page it opens
    devices: list = field(default_factory=list)  # the devices it hands out (writers only)
    assignment: int | None = None  # the assignment it edits (writers only)

    @property
    def writes(self):
        """Return whether the client makes changes (hand-outs and edits)."""
        return bool(self.devices)


@dataclass
class Seen:
    """The writes a client saw succeed."""

    checkouts: Counter = field(default_factory=Counter)  # by asset tag
    returns: Counter = field(default_factory=Counter)
    holders: dict = field(default_factory=dict)  # asset tag → pupil code, while lent
    edits: int = 0
    start_date: date | None = None  # the start date the last accepted edit gave


class Client:
    """One browser session of one user, taking steps until its time or requests run out."""

    def __init__(self, plan, port):
        """Prepare the client of `plan` for the server on loopback port `port`."""
        self.plan = plan
        self.browser = Browser("127.0.0.1", port)
        self.random = random.Random(plan.index)  # noqa: S311 - a repeatable mix, no secret
        self.samples = []  # (phase, kind, seconds)
        self.errors = Counter()  # kind → how many
        self.error_details = []
        self.seen = Seen()
        self.phase = "login"
        self.logged_in = False
        self._page = None  # the latest hand-out page: its form carries the CSRF token
        self._step = 0  # of a hand-out: 0 scan the holder, 1 the device, 2 collect it
        self._turn = 0  # how many devices were handed out and collected

    # Phases -------------------------------------------------------------------------------

    def log_in(self):
        """Log in through the login form with the user's password."""
        page = self._request("login page", "GET", "/login/")
        if page is None:
            return
        done = self._request("login", "POST", "/login/", page=page, has="username", changes={
            "username": self.plan.username, "password": self.plan.password}, expect=302)
        self.logged_in = done is not None and not path_of(done.location).startswith("/login/")
        if done is not None and not self.logged_in:
            self._error("login", f"{self.plan.username} was not let in")

    def anchor(self, deadline, max_requests):
        """Ask for the login page as a visitor who is not logged in, until `deadline`."""
        self.phase = "anchor"
        visitor = Browser(self.browser.host, self.browser.port)
        for _count in range(max_requests):
            if time.monotonic() >= deadline:
                break
            self._request("login page", "GET", "/login/", browser=visitor)

    def mix(self, deadline, max_requests):
        """Take steps until `deadline` or until `max_requests` are sent."""
        self.phase = "mix"
        if not self.logged_in:
            return
        steps = [self.matrix, self.register, self.my_duties, self.device]
        weights = [3, 2, 2, 2]
        if self.plan.writes:
            steps += [self.scan, self.edit]
            weights += [3, 1]
        # Every kind of step once first, so that even a short run has each; then at random.
        tour = iter(steps + [self.scan] * 2 if self.plan.writes else steps)
        start = len(self.samples)
        while time.monotonic() < deadline and len(self.samples) - start < max_requests:
            step = next(tour, None) or self.random.choices(steps, weights)[0]
            step()

    # Steps --------------------------------------------------------------------------------

    def matrix(self):
        """Open the unit's matrix."""
        self._request("matrix", "GET", f"/units/{self.plan.unit}/")

    def register(self):
        """Open the unit's device register."""
        self._request("register", "GET", f"/units/{self.plan.unit}/devices/")

    def my_duties(self):
        """Open "my duties"."""
        self._request("my duties", "GET", "/me/")

    def device(self):
        """Open a device's page."""
        self._request("device", "GET", f"/units/{self.plan.unit}/devices/{self.plan.device}/")

    def scan(self):
        """Take the next step of handing out and collecting the client's devices by scanning.

        A pupil's code, then the device's tag (the device is lent), then in collect mode the
        tag again (it is back): each scan is a POST, and the page it leads to says how it went.
        """
        tag = self.plan.devices[self._turn % len(self.plan.devices)]
        code = f"{self.plan.index % 100}B-{self._turn % 1000:03d}"
        mode, value = ("in", tag) if self._step == 2 else ("out", code if self._step == 0
                                                           else tag)
        path = f"/units/{self.plan.unit}/devices/handout/?mode={mode}"
        if self._page is None:
            self._page = self._request("hand-out page", "GET", path)
            if self._page is None:
                return
        done = self._request("scan", "POST", path, page=self._page, has="scan",
                             changes={"scan": value}, button=("action", "scan"), expect=302)
        if done is None:
            return
        page = self._request("hand-out page", "GET", path_of(done.location))
        if page is None:
            return
        self._page = page
        if self._step == 0:
            if f'class="holder">{code}<' not in page.text:
                return self._error("scan", f"{code} is not waiting for a device: "
                                   f"{_said(page.text)}")
        elif 'class="result ok"' not in page.text:
            return self._error("scan", f"{value} was refused: {_said(page.text)}")
        elif self._step == 1:
            self.seen.checkouts[tag] += 1
            self.seen.holders[tag] = code
        else:
            self.seen.returns[tag] += 1
            self.seen.holders.pop(tag, None)
            self._turn += 1
        self._step = (self._step + 1) % 3
        return None

    def edit(self):
        """Change the start date of the client's assignment through its edit form."""
        path = f"/units/{self.plan.unit}/assignments/{self.plan.assignment}/edit/"
        page = self._request("edit form", "GET", path)
        if page is None:
            return
        start = FIRST_START + timedelta(days=self.seen.edits + 1)
        done = self._request("edit save", "POST", path, page=page, has="version",
                             changes={"start_date": start.isoformat()}, expect=302)
        if done is not None:
            self.seen.edits += 1
            self.seen.start_date = start

    # Requests -----------------------------------------------------------------------------

    def _request(self, kind, method, path, *, page=None, has=None, changes=None, button=None,
                 expect=200, browser=None):
        """Send one request and time it; return its response, or None if it went wrong."""
        browser = browser or self.browser
        start = time.perf_counter()
        try:
            if method == "GET":
                response = browser.get(path)
            else:
                response = browser.submit(page, path, changes, has=has, button=button)
        except (OSError, LookupError) as error:
            self.samples.append((self.phase, kind, time.perf_counter() - start))
            self._error(kind, f"{method} {path}: {error!r}")
            return None
        self.samples.append((self.phase, kind, response.seconds))
        if response.status != expect:
            self._error(kind, f"{method} {path}: {response.status} {response.location} "
                        f"{_said(response.text)}".strip())
            return None
        return response

    def fail(self, error):
        """Record that the client stopped on `error`, something no step expected."""
        self._error("client", f"stopped: {error!r}")

    def _error(self, kind, detail):
        self.errors[kind] += 1
        if len(self.error_details) < MAX_ERRORS_KEPT:
            self.error_details.append(f"{self.plan.username} #{self.plan.index}: {detail}")


def _said(html):
    """Return the alerts and messages of a page, as short text: what a person would read."""
    found = re.findall(r'role="alert"[^>]*>(.*?)</', html, re.DOTALL)
    return " ".join(" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in found)[:300]
