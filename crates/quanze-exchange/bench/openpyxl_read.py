"""Reads a workbook with openpyxl in read-only mode, touching every cell value, and prints
the time taken: the baseline for the Rust importer's benchmark (see docs/performance/exchange.md).

Usage: python3 openpyxl_read.py PATH [REPEATS]
"""

import sys
import time

from openpyxl import load_workbook


def read_all(path):
    workbook = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if value is not None:
                    cells += 1
    workbook.close()
    return cells


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        cells = read_all(path)
        times.append(time.perf_counter() - start)
    print(f"openpyxl read-only: {cells} non-empty cells; "
          f"min {min(times):.2f} s, mean {sum(times) / len(times):.2f} s over {repeats} runs")


if __name__ == "__main__":
    main()
