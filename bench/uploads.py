"""Benchmark the upload guards: a zip bomb is refused at once, next to reading a real sheet.

Run from the project folder (it makes its own SQLite database in a temporary folder, migrates it
and leaves every other database alone):

    .venv/bin/python bench/uploads.py [--rows 2000] [--megabytes 300]

It prints how long reading an ordinary device workbook of `--rows` rows takes, how long
refusing each zip bomb takes (a workbook of under a megabyte whose sheet unpacks to
`--megabytes` MB), and the one as a share of the other; then how long refusing a CSV file
one row over VASTUU_IMPORT_MAX_ROWS takes. Target: each bomb is refused in well under a
second, a small fraction of the time an ordinary file takes.
"""

import argparse
import io
import time
import zipfile

from _register import build_device, make_register, setup_django


def workbook(rows, units, people, carts):
    """Return the bytes of a device workbook of `rows` rows, as the export writes them."""
    import openpyxl

    from devices.resources import csv_row, headers

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers())
    for index in range(rows):
        sheet.append(csv_row(build_device(index, units, people, carts)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb(megabytes):
    """Return a workbook whose sheet unpacks to `megabytes` MB of one cell over and over."""
    import openpyxl

    plain = io.BytesIO()
    openpyxl.Workbook().save(plain)
    source = zipfile.ZipFile(plain)
    cell = b'<row><c t="inlineStr"><is><t>KUO-1</t></is></c></row>'
    chunk = cell * (1024 * 1024 // len(cell))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                bomb.writestr(info.filename, source.read(info))
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData>')
            for _megabyte in range(megabytes):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def timed(function, *args):
    """Return (what `function` returned or raised, seconds it took)."""
    start = time.perf_counter()
    try:
        result = function(*args)
    except Exception as error:  # the refusals are what is measured
        result = error
    return result, time.perf_counter() - start


def main():
    """Time reading an ordinary workbook, then refusing each zip bomb and a long CSV file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, nargs="+", default=[150, 300],
                        help="what each bomb unpacks to (150 MB: refused by its packing ratio, "
                             "300 MB: by its unpacked size)")
    options = parser.parse_args()
    setup_django()

    from django.conf import settings

    from imports.sheets import read_rows

    units, people, carts = make_register()
    ordinary = workbook(options.rows, units, people, carts)
    rows, read_seconds = timed(read_rows, ordinary, "xlsx")
    print(f"Ordinary workbook: {len(ordinary) / 1e6:.2f} MB, {len(rows) - 1:,} rows read in "
          f"{read_seconds:.2f} s")
    for megabytes in options.megabytes:
        bomb = zip_bomb(megabytes)
        refusal, bomb_seconds = timed(read_rows, bomb, "xlsx")
        print(f"Zip bomb: {len(bomb) / 1e6:.2f} MB unpacking to {megabytes:,} MB, refused in "
              f"{bomb_seconds * 1000:.1f} ms ({bomb_seconds / read_seconds:.1%} of reading the "
              f"ordinary workbook)\n  {refusal}")

    limit = settings.VASTUU_IMPORT_MAX_ROWS
    csv_data = ("asset tag\n" + "".join(f"KUO-{n}\n" for n in range(limit + 1))).encode()
    refusal, csv_seconds = timed(read_rows, csv_data, "csv")
    print(f"CSV of {limit + 1:,} rows ({len(csv_data) / 1e6:.1f} MB): refused in "
          f"{csv_seconds:.2f} s\n  {refusal}")


if __name__ == "__main__":
    main()
