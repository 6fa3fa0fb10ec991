#!/usr/bin/env python3
"""Re-parses every export format with rdflib and checks the statement counts against what
`policykg export` reported, and the VoID description's void:triples.

Usage: python3 .ci/export_reparse.py DIR   (DIR holds export.<format>, export.<format>.log, void.ttl)
"""
import re, sys, rdflib
d = sys.argv[1]
fmts = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}
counts = {}
for f, fmt in fmts.items():
    written = int(re.search(r"exported (\d+)", open(f"{d}/export.{f}.log").read()).group(1))
    if fmt in ("nquads", "trig", "json-ld"):
        ds = rdflib.Dataset(); ds.parse(f"{d}/export.{f}", format=fmt); n = sum(1 for _ in ds.quads())
    else:
        n = len(rdflib.Graph().parse(f"{d}/export.{f}", format=fmt))
    assert n == written, (f, n, written)
    counts[f] = n
void = rdflib.Graph().parse(f"{d}/void.ttl", format="turtle")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
total = next(void.objects(rdflib.URIRef("https://w3id.org/policykg/id/dataset"), VOID.triples)).toPython()
assert total == counts["nquads"], (total, counts)
print("export re-parsed by rdflib, same counts:", counts, "; VoID void:triples", total)
