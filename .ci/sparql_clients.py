#!/usr/bin/env python3
"""The SPARQL endpoint with real clients: SPARQLWrapper and rdflib against `policykg serve`
(SELECT/CONSTRUCT in every format, a named query, a refused update, the service description,
Graph Store reads), then the same named queries against Oxigraph's own server on the same store.

Usage: python3 .ci/sparql_clients.py POLICYKG_QUERY_URL OXIGRAPH_QUERY_URL QUERIES_DIR
(needs SPARQLWrapper and rdflib; the stores are the demo store, see .ci/run)
"""
import json, os, socket, sys, time, urllib.error, urllib.parse, urllib.request
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

endpoint, oxigraph_endpoint, queries = sys.argv[1:4]
base = endpoint.rsplit("/query", 1)[0]
sw = SPARQLWrapper(endpoint)
sw.setQuery("""PREFIX pkg: <https://w3id.org/policykg/ont#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?item WHERE {
  ?o skos:prefLabel "无为市发展和改革委员会"@zh ; pkg:leads ?t .
  ?t pkg:label ?item
} ORDER BY xsd:integer(?item)""")
sw.setReturnFormat(JSON)
items = [b["item"]["value"] for b in sw.query().convert()["results"]["bindings"]]
assert items == ["1", "3", "7"], items
sw.setMethod(POST)
assert [b["item"]["value"] for b in sw.query().convert()["results"]["bindings"]] == items
sw.setReturnFormat(XML)
assert len(sw.query().convert().getElementsByTagName("result")) == 3
sw.setQuery("CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } WHERE { ?d a <https://w3id.org/policykg/ont#Document> ; <http://purl.org/dc/terms/title> ?t }")
sw.setReturnFormat(TURTLE)
import rdflib
g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
assert len(g) == 2, len(g)
named = base + "/queries/responsibility?" + urllib.parse.urlencode({"dept": "市发改委"})
req = urllib.request.Request(named, headers={"Accept": "application/sparql-results+json"})
rows = json.load(urllib.request.urlopen(req))["results"]["bindings"]
assert len(rows) == 11 and {r["org"]["value"] for r in rows} == {"无为市发展和改革委员会"}, rows
try:
    urllib.request.urlopen(urllib.request.Request(base + "/update", data=b"update=CLEAR+ALL"))
    raise AssertionError("update was accepted")
except urllib.error.HTTPError as e:
    assert e.code == 403, e.code
print("policykg serve with SPARQLWrapper: ok (市发改委 leads items", ", ".join(items) + "; 11 rows over /queries)")

# The service description (GET /query) and one document's graph over the Graph Store Protocol
# (GET /store?graph=IRI), fetched as rdflib fetches any URL: its own Accept header, its parser
# picked from the answer's Content-Type.
from SPARQLWrapper import JSONLD, RDFXML
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
EP = rdflib.Namespace("https://w3id.org/policykg/ont/endpoint#")
sd = rdflib.Graph().parse(endpoint)
service = sd.value(predicate=SD.endpoint, object=rdflib.URIRef(endpoint))
assert service is not None and (service, rdflib.RDF.type, SD.Service) in sd, sd.serialize(format="turtle")
for p, o in [(SD.supportedLanguage, SD.SPARQL11Query), (SD.feature, SD.UnionDefaultGraph),
             (SD.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")),
             (EP.readOnly, rdflib.Literal(True))]:
    assert (service, p, o) in sd, (p, o)
assert sd.value(service, EP.maxResults).toPython() == 10000
doc_graph = rdflib.URIRef("https://w3id.org/policykg/id/graph/003_333bffa1260437b2")
assert doc_graph in set(sd.objects(None, SD.name))
graph_url = str(sd.value(service, EP.graphStore)) + "?" + urllib.parse.urlencode({"graph": str(doc_graph)})
g = rdflib.Graph().parse(graph_url)
sw_count = SPARQLWrapper(endpoint)
sw_count.setQuery(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{doc_graph}> {{ ?s ?p ?o }} }}")
sw_count.setReturnFormat(JSON)
n = int(sw_count.query().convert()["results"]["bindings"][0]["n"]["value"])
assert len(g) == n, (len(g), n)
for media, fmt in [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                   ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")]:
    resp = urllib.request.urlopen(urllib.request.Request(graph_url, headers={"Accept": media}))
    assert resp.headers["Content-Type"] == media, (media, resp.headers["Content-Type"])
    assert len(rdflib.Graph().parse(data=resp.read(), format=fmt)) == n, media
head = urllib.request.urlopen(urllib.request.Request(graph_url, method="HEAD"))
assert head.headers["Content-Type"] == "text/turtle" and head.read() == b""
# SPARQLWrapper asking for RDF/XML and JSON-LD; a relative IRI resolved against the endpoint.
sw.setQuery("CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } WHERE { ?d a <https://w3id.org/policykg/ont#Document> ; <http://purl.org/dc/terms/title> ?t }")
for fmt in (RDFXML, JSONLD):
    sw.setReturnFormat(fmt)
    assert len(sw.query().convert()) == 2, fmt
sw.setQuery("SELECT ?x WHERE { BIND(<relative> AS ?x) }")
sw.setReturnFormat(JSON)
assert sw.query().convert()["results"]["bindings"][0]["x"]["value"] == base + "/relative"
print(f"service description and Graph Store reads with rdflib and SPARQLWrapper: ok ({len(sd)} statements; "
      f"document graph {len(g)} triples in Turtle, N-Triples, RDF/XML and JSON-LD)")

# Oxigraph's own server on the same store: the parameter-free named queries agree.
host, port = urllib.parse.urlsplit(oxigraph_endpoint).netloc.split(":")
for _ in range(150):
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        break
    except OSError:
        time.sleep(0.2)
def bindings(url, text):
    w = SPARQLWrapper(url)
    w.setQuery(text)
    w.setReturnFormat(JSON)
    return w.query().convert()["results"]["bindings"]
compared = []
for name in ["workload", "partner-pairs", "tasks-without-lead", "documents"]:
    text = open(os.path.join(queries, name + ".rq"), encoding="utf-8").read()
    ours, theirs = bindings(endpoint, text), bindings(oxigraph_endpoint, text)
    assert ours == theirs, (name, len(ours), len(theirs))
    compared.append(f"{name} {len(ours)} rows")
print("oxigraph 0.5.13 serve-read-only on the same store: same answers (" + ", ".join(compared) + ")")
