"""A small browser for the load benchmark: cookies, forms read from the page, timed requests.

Only the standard library, and only loopback: the benchmark never talks to another machine.
A form is sent as a browser sends it: every field the page's form has, with its value, the
CSRF token included, and the changes the caller asks for.
"""

import http.client
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

TIMEOUT = 30  # seconds for one request: no request waits longer


@dataclass
class Response:
    """What one request got back, and how long it took."""

    status: int
    location: str
    text: str
    seconds: float


class Browser:
    """One user's browser: its own session cookie, one request at a time, to one server."""

    def __init__(self, host, port):
        """Talk to the server at `host`:`port` (a loopback address)."""
        self.host, self.port = host, port
        self.origin = f"http://{host}:{port}"
        self.cookies = {}

    def get(self, path):
        """Return the Response of GET `path`."""
        return self._request("GET", path)

    def post(self, path, data):
        """Return the Response of POST `path` with the form fields `data` (pairs or a dict)."""
        body = urlencode(list(data.items()) if isinstance(data, dict) else data)
        return self._request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded",
            # A browser says where a form was sent from; Django compares it with the host.
            "Origin": self.origin, "Referer": self.origin + path})

    def submit(self, page, path, changes=None, *, has=None, button=None):
        """POST to `path` the form of `page` that has the field `has`, as a browser would.

        `changes` replace the values of fields; `button` is the (name, value) clicked.
        """
        form = find_form(page.text, has)
        fields = [(name, value) for name, value in form if name not in (changes or {})]
        fields += list((changes or {}).items())
        if button:
            fields.append(button)
        return self.post(path, fields)

    def _request(self, method, path, body=None, headers=None):
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "vastuu-bench",
                   **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in
                                          self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        start = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode("utf-8", "replace")
        finally:
            connection.close()
        seconds = time.perf_counter() - start
        self._keep_cookies(reply.headers.get_all("Set-Cookie") or [])
        return Response(reply.status, reply.headers.get("Location", ""), text, seconds)

    def _keep_cookies(self, headers):
        for header in headers:
            pair, *attributes = header.split(";")
            name, _eq, value = pair.strip().partition("=")
            expired = any(attribute.strip().lower() == "max-age=0" for attribute in attributes)
            if expired or not value.strip('"'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def path_of(location):
    """Return the path (and query) of a redirect's `location`, absolute or not."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def find_form(html, has=None):
    """Return the fields of the first form in `html` with a field named `has`, as pairs."""
    parser = FormParser()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        if has is None or any(name == has for name, _value in form.fields):
            return form.fields
    raise LookupError(f"no form with a field {has!r} on the page")


@dataclass
class Form:
    """The fields of one form as a browser would send them (buttons left out)."""

    fields: list = field(default_factory=list)


class FormParser(HTMLParser):
    """Collect every form's fields: inputs, checked boxes, selected options, text areas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None  # [name, options, selected, multiple]
        self._textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form()
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "select" and attrs.get("name"):
            self._select = [attrs["name"], [], [], "multiple" in attrs]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select[1].append(value)
            if "selected" in attrs:
                self._select[2].append(value)
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]

    def _input(self, attrs):
        kind = attrs.get("type", "text").lower()
        name = attrs.get("name")
        if not name or kind in ("submit", "button", "reset", "image", "file"):
            return
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            return
        self._form.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, options, selected, multiple = self._select
            # A single choice with nothing selected sends its first option, as a browser does.
            for value in selected or ([] if multiple else options[:1]):
                self._form.fields.append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.fields.append(tuple(self._textarea))
            self._textarea = None
