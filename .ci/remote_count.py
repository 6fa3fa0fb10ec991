#!/usr/bin/env python3
"""Prints how many policykg statements a SPARQL endpoint holds (graphs under the policykg
namespace).

Usage: python3 .ci/remote_count.py SPARQL_URL
"""
import json, sys, urllib.parse, urllib.request
q = 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/policykg/id/")) }'
req = urllib.request.Request(sys.argv[1] + "?" + urllib.parse.urlencode({"query": q}),
                             headers={"Accept": "application/sparql-results+json"})
print(json.load(urllib.request.urlopen(req))["results"]["bindings"][0]["n"]["value"])
