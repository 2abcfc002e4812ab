"""Time and memory of reading hostile uploads, beside a legitimate 10,000-row workbook.

    .venv/bin/python bench/hostile_files.py
    .venv/bin/python bench/hostile_files.py --only far_away_cell sparse_to_row

Each file is read by `read_table` in a child process of its own (a file that makes the reader
allocate without bound kills only that child): the child's address space is capped at
--limit-mb (default 6,000 MB) and its run at --timeout seconds. For each file the script prints
its size, the seconds `read_table` took, the child's peak resident memory above its baseline
(Django loaded and the file in memory, before reading), and what the reader answered.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.security import workbooks  # noqa: E402


def legit_rows(count: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(workbooks.HEADERS)
    for n in range(count):
        sheet.append(
            [
                f"Nguyễn Văn Học Viên {n}",
                f"hv{n}@example.org",
                f"09{n:08d}",
                "Chuyên viên",
                "Hà Nội",
                "",
                "Khóa 3",
                None,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def nul_csv() -> bytes:
    line = ",".join(workbooks.ROW).encode() + b"\n"
    return ",".join(workbooks.HEADERS).encode() + b"\n" + line * 60 + b"Nguy\x00n,x@example.org\n"


CASES = {
    "legit_10000_rows": ("danh-sach.xlsx", lambda: legit_rows(10_000)),
    "far_away_cell": ("xa.xlsx", workbooks.far_away_cell),
    "sparse_to_row": ("thua.xlsx", workbooks.sparse_to_row),
    "big_sheet": ("lon.xlsx", workbooks.big_sheet),
    "big_sheet_without_references": ("lon-khong-r.xlsx", lambda: workbooks.big_sheet(references=False)),
    "rows_beyond_limit": (
        "dai.xlsx",
        lambda: workbooks.big_sheet(rows=25_000, columns=8, varied=True),
    ),
    "rows_beyond_limit_without_references": (
        "dai-khong-r.xlsx",
        lambda: workbooks.big_sheet(rows=25_000, columns=8, references=False, varied=True),
    ),
    "cells_beyond_limit": (
        "nhieu-o.xlsx",
        lambda: workbooks.big_sheet(rows=8_000, columns=100, varied=True),
    ),
    "cells_to_the_limit_then_a_row_too_many_without_references": (
        "day-khong-r.xlsx",
        lambda: workbooks.big_sheet(rows=20_001, columns=24, references=False, varied=True),
    ),
    "a_million_sheets": ("nhieu-trang.xlsx", workbooks.many_sheets),
    "two_million_shared_strings": ("nhieu-chuoi.xlsx", workbooks.many_shared_strings),
    "wide_sheet": ("rong.xlsx", workbooks.wide_sheet),
    "huge_dimension": ("vung.xlsx", workbooks.huge_dimension),
    "zip_bomb": ("bom.xlsx", workbooks.zip_bomb),
    "liar_zip": ("noi-doi.xlsx", workbooks.liar_zip),
    "nul_after_4kb_csv": ("nul.csv", nul_csv),
}

CHILD = """
import os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egovexperts.settings")
import django
django.setup()
from django.utils import translation
translation.activate("en")
from django.core.exceptions import ValidationError
from egovexperts.imports.files import Upload, read_table
upload = Upload(name={name!r}, content=open({path!r}, "rb").read())
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    table = read_table(upload)
    answer = f"read {{len(table.rows)}} rows"
except ValidationError as error:
    answer = "refused: " + " ".join(error.messages)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, peak - baseline, answer, sep="\\t", flush=True)
"""


def run_case(name: str, file_name: str, content: bytes, *, limit_mb: int, timeout: float) -> str:
    with tempfile.NamedTemporaryFile(suffix=Path(file_name).suffix) as file:
        file.write(content)
        file.flush()
        code = CHILD.format(root=str(ROOT), name=file_name, path=file.name)

        def cap():
            limit = limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=cap
        )
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            return f"{name:58} {len(content):>10,} B  over {timeout:.0f} s (stopped)"
        wall = time.perf_counter() - started
    if child.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        reason = next(
            (line for line in lines if "panicked" in line or "memory" in line.lower()), f"exit {child.returncode}"
        )
        return f"{name:58} {len(content):>10,} B  died after {wall:.1f} s ({reason.strip()[:100]})"
    seconds, peak_kb, answer = out.decode().strip().split("\t", 2)
    return f"{name:58} {len(content):>10,} B  {float(seconds):7.2f} s  {int(peak_kb) / 1024:8.1f} MB  {answer[:110]}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", choices=list(CASES))
    parser.add_argument("--limit-mb", type=int, default=6000)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    print(f"{'file':58} {'size':>12}  {'seconds':>9}  {'peak':>9}  answer")
    for name in args.only or CASES:
        file_name, build = CASES[name]
        print(run_case(name, file_name, build(), limit_mb=args.limit_mb, timeout=args.timeout), flush=True)


if __name__ == "__main__":
    main()
