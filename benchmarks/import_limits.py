"""What hostile .xlsx files cost the import: CPU seconds and peak memory of reading one
(`clients.importing.read_sheet`, what the preview and the task do first), each in a child
process of its own so its peak memory is its own.

    DEBUG=1 .venv/bin/python benchmarks/import_limits.py
    DEBUG=1 .venv/bin/python benchmarks/import_limits.py --code /tmp/hami-before --only styles-1m

The files are the bombs of issue 7 and the worst files just inside each limit. A child
gets at most 3 GB of address space (`--memory`), so a bomb against code without limits
fails with MemoryError instead of taking the machine down.
"""

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
HEADER = [
    "id_number",
    "welfare_file_number",
    "first_name",
    "last_name",
    "gender",
    "birth_date",
    "province",
    "city",
    "category",
    "education",
    "consent",
]


def repeated(piece: bytes, times: int, per_chunk: int = 65536):
    full, rest = divmod(times, per_chunk)
    for _ in range(full):
        yield piece * per_chunk
    yield piece * rest


def base_workbook() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    person = ["0012345679", "F-1", "زهرا", "احمدی", "female", "1370/01/01", "23", "تهران"]
    sheet.append([*person, "female_head", "diploma", "yes"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def rebuilt(base: bytes, parts: dict) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info, source.read(info))
        for name, content in parts.items():
            if callable(content):
                content = content(source.read(name))
            with target.open(name, "w", force_zip64=True) as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
    return output.getvalue()


def with_strings(chunks) -> bytes:
    return rebuilt(
        base_workbook(),
        {
            "[Content_Types].xml": lambda xml: xml.replace(
                b"</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
                "</Types>".encode(),
            ),
            "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdS" Type="{STRINGS_REL}" Target="sharedStrings.xml"/>'
                "</Relationships>".encode(),
            ),
            "xl/sharedStrings.xml": [f'<sst xmlns="{MAIN}">'.encode(), *chunks, b"</sst>"],
        },
    )


def with_styles(count: int) -> bytes:
    styles = [
        f'<styleSheet xmlns="{MAIN}"><cellXfs count="{count}">'.encode(),
        *repeated(b"<xf/>", count),
        b"</cellXfs></styleSheet>",
    ]
    return rebuilt(base_workbook(), {"xl/styles.xml": styles})


def with_rows(rows: bytes) -> bytes:
    return rebuilt(
        base_workbook(),
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"</sheetData>", rows + b"</sheetData>"
            )
        },
    )


CASES = {
    # Issue 7's bombs.
    "one-2gb-string": lambda: with_strings(
        [b"<si><t>", *repeated(b"a" * 1024, 2 * 1024 * 1024), b"</t></si>"]
    ),
    "5m-strings": lambda: with_strings(repeated(b"<si><t>a</t></si>", 5_000_000)),
    "styles-1m": lambda: with_styles(1_000_000),
    "cell-at-row-1m": lambda: with_rows(
        b'<row r="1000000"><c r="B1000000" t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    # The worst files just inside the limits (250,000 elements, 25 MB a part).
    "styles-249k": lambda: with_styles(249_000),
    "strings-124k": lambda: with_strings(repeated(b"<si><t>a</t></si>", 124_500)),
    "empty-cells-249k": lambda: with_rows(b'<row r="3">' + b"<c/>" * 249_000 + b"</row>"),
    "row-gap-to-99999": lambda: with_rows(
        b'<row r="99999"><c r="A99999" t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "one-24mb-string": lambda: with_strings(
        [b"<si><t>", *repeated(b"a" * 1024, 24 * 1024), b"</t></si>"]
    ),
}

CHILD = r"""
import json, os, resource, sys, time
limit = int(sys.argv[3]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[1]); os.chdir(sys.argv[1])
os.environ.setdefault("DEBUG", "1"); os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django; django.setup()
from django.utils import translation; translation.activate("en")
from django.core.exceptions import ValidationError
from clients.importing import read_sheet
started = time.process_time()
try:
    with open(sys.argv[2], "rb") as file:
        sheet = read_sheet(file)
    outcome = f"read, {len(sheet.rows)} rows"
except ValidationError as error:
    outcome = "refused: " + error.messages[0][:90]
except MemoryError:
    outcome = "MemoryError (past the memory given to the child)"
cpu = time.process_time() - started
with open("/proc/self/status") as status:  # the peak of this process since its exec
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) // 1024
print(json.dumps({"outcome": outcome, "cpu": round(cpu, 2), "peak_mb": peak}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--only", nargs="*", default=list(CASES))
    parser.add_argument("--memory", type=int, default=3072, help="MB a child may use")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    print(f"code: {args.code}")
    print("| file | on disk | outcome | CPU s | peak MB |")
    print("|---|---:|---|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only:
            path = Path(folder) / f"{name}.xlsx"
            path.write_bytes(CASES[name]())
            result = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.code), str(path), str(args.memory)],
                capture_output=True,
                text=True,
                check=False,
            )
            lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
            if not lines:
                print(
                    f"| {name} | {path.stat().st_size:,} B | crashed: {result.stderr[-200:]!r} | | |"
                )
                continue
            row = json.loads(lines[-1])
            print(
                f"| {name} | {path.stat().st_size:,} B | {row['outcome']} | {row['cpu']} "
                f"| {row['peak_mb']} |"
            )


if __name__ == "__main__":
    main()
