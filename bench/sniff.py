"""How long, and how much memory, identifying an upload takes (`documents.sniff`), for the
issue's zip bomb and for ordinary and large files of every allowed type. Each case runs in a
fresh process, so its peak resident memory is its own.

    .venv/bin/python bench/sniff.py                      # the current sniff
    git show 72971dd:src/onestop/applications/documents.py > /tmp/old_documents.py
    .venv/bin/python bench/sniff.py --impl /tmp/old_documents.py --cases bomb   # the sniff before issue 14

Prints a Markdown table: median and worst time over the runs, how much the process's peak
resident memory grew while sniffing, the most Python memory allocated at once in one more
(untimed) run, and what sniff answered.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cases() -> dict[str, bytes]:
    """The files measured (built in memory; the bombs are the test suite's)."""
    from PIL import Image

    from tests import files

    big_png = io.BytesIO()
    Image.effect_noise((2400, 1600), 60).convert("RGB").save(big_png, "PNG")  # a noisy scan: ~11 MB
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", files._TYPES.format(defaults="", main=files.SHEET_MAIN))
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(9_000):
            z.writestr(f"xl/worksheets/sheet{i}.xml", f"<worksheet><row r='{i}'/></worksheet>")
    pdf = files.PDF[:-6] + b"%" + b"0" * (19 * 1024 * 1024) + b"\n%%EOF\n"
    return {"bomb": files.bomb(), "bomb-lying": files.bomb(lying=True), "pdf-19MB": pdf, "png-11MB": big_png.getvalue(),
            "jpeg": files.jpeg((3000, 2000)), "xlsx-9000-entries": many.getvalue(), "hwp": files.hwp(),
            "hwpx": files.hwpx()}


def load(impl: str | None) -> Any:
    if impl is None:
        from onestop.applications import documents

        return documents
    spec = importlib.util.spec_from_file_location("documents_under_test", impl)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_one(name: str, impl: str | None, runs: int) -> dict[str, Any]:
    data = cases()[name]
    sniff = load(impl).sniff
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, answer = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        try:
            answer = sniff(data).label
        except Exception as exc:  # the refusal is the answer
            answer = f"refused ({getattr(exc, 'code', type(exc).__name__)})"
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()  # one more, untimed run: the most Python allocated at once
    with contextlib.suppress(Exception):
        sniff(data)
    allocated = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"case": name, "bytes": len(data), "median_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000, "rss_growth_mib": (peak - before) / 1024, "peak_rss_mib": peak / 1024,
            "allocated_kib": allocated / 1024, "answer": answer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--impl", help="a documents.py to measure instead of the installed one")
    parser.add_argument("--cases", nargs="*", help="which cases (default: all)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.impl, args.runs)))
        return
    names = args.cases or list(cases())
    print("| case | size | median | worst | RSS growth | allocated | answer |\n|---|---:|---:|---:|---:|---:|---|")
    for name in names:
        cmd = [sys.executable, __file__, "--one", name, "--runs", str(args.runs)] + (["--impl", args.impl] if args.impl else [])
        out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        print(f"| {out['case']} | {out['bytes']:,} B | {out['median_ms']:.2f} ms | {out['max_ms']:.2f} ms | "
              f"{out['rss_growth_mib']:.0f} MiB | {out['allocated_kib']:,.0f} KiB | {out['answer']} |", flush=True)


if __name__ == "__main__":
    main()
