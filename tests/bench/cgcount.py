#!/usr/bin/env python3
"""cgcount.py: totals of callgrind output files (tests/bench/run).

    cgcount.py FUNC FILE...   prints, per file and summed: Ir and the calls to FUNC

Reads callgrind's format (name compression "(id) name" / "(id)" for fn=/cfn=) and adds up the
calls= lines that follow a cfn= naming FUNC. Output: one line "ir=N calls=N" for all files.
"""
import re
import sys


def count(path, func):
    names = {}
    ir = 0
    calls = 0
    cur_cfn = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                if line.startswith("summary:") or ir == 0:
                    ir = int(line.split()[1])
                continue
            if line.startswith("cfn=") or line.startswith("fn="):
                val = line.split("=", 1)[1].strip()
                m = re.match(r"\((\d+)\)(?:\s+(.*))?$", val)
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    name = names.get(m.group(1), "")
                else:
                    name = val
                if line.startswith("cfn="):
                    cur_cfn = name
                continue
            if line.startswith("calls="):
                if cur_cfn == func:
                    calls += int(line.split("=", 1)[1].split()[0])
                continue
    return ir, calls


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: cgcount.py FUNC FILE...\n")
        sys.exit(2)
    func = sys.argv[1]
    tir = tcalls = 0
    for p in sys.argv[2:]:
        ir, calls = count(p, func)
        tir += ir
        tcalls += calls
    print("ir=%d calls=%d" % (tir, tcalls))


if __name__ == "__main__":
    main()
