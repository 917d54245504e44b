"""Turn a page's table into a CSV or Excel download, with spreadsheet formulas neutralised."""

import tablib
from django.http import Http404, HttpResponse

from units.resources import escape_formula

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sheet_response(*, headers, rows, filename, fmt, title=""):
    """Return a download of `rows` under `headers` as `fmt` ("csv" or "xlsx").

    Every text cell that a spreadsheet would run as a formula gets an apostrophe in front. CSV
    starts with a byte order mark so that Excel reads ä and ö right. An unknown format is a 404.
    """
    if fmt not in CONTENT_TYPES:
        raise Http404("Unknown export format.")
    dataset = tablib.Dataset(headers=[str(header) for header in headers],
                             title=(title or filename)[:31])
    for row in rows:
        dataset.append([escape_formula("" if cell is None else cell) for cell in row])
    if fmt == "csv":
        content = "\ufeff" + dataset.export("csv")
    else:
        content = dataset.export("xlsx")
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
