import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
import docs1, docs2, docs3
D = "/work/d2/NEW-coop"
for i, text in docs1.DOCS.items():
    open(f"{D}/src/{i}.txt", "w").write(text)
    with open(f"{D}/gold/{i}.jsonl", "w") as g:
        for f in docs1.GOLD[i]:
            o = {"doc": i, "rel": "cooperates_with"}
            if f["label"]:
                o["task"] = {"label": f["label"]}
            a = {"text": f["a"]}
            if f["a_alt"]: a["alt"] = f["a_alt"]
            b = {"text": f["b"]}
            if f["b_alt"]: b["alt"] = f["b_alt"]
            o["a"], o["b"], o["verb"] = a, b, f["verb"]
            g.write(json.dumps(o, ensure_ascii=False) + "\n")
print(len(docs1.DOCS), sum(len(v) for v in docs1.GOLD.values()))
