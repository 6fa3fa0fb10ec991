"""Deterministic perturbation of gold facts into a prediction file, for checking that
policykg::eval agrees with shared/eval/score.py (drops every third fact, respells orgs
in Traditional / as alt / as name / with pinyin, breaks labels, values, units,
comparators and evidence offsets, swaps cooperation sides, adds false and collective
facts, shuffles).  Needs `pip install opencc`.

usage: perturb.py GOLD_DIR OUT.jsonl SEED"""
import json, os, random, sys, copy
import opencc
s2t = opencc.OpenCC("s2t")
gold_dir, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(seed)
facts = []
for fn in sorted(os.listdir(gold_dir)):
    if fn.endswith(".jsonl"):
        for line in open(os.path.join(gold_dir, fn), encoding="utf-8"):
            if line.strip():
                f = json.loads(line); f.setdefault("doc", fn[:-6]); facts.append(f)
docs = sorted({f["doc"] for f in facts})
pred = []
for i, f in enumerate(facts):
    if i % 3 == 2:
        continue  # drop every third gold fact
    p = copy.deepcopy(f)
    r = rnd.random()
    rel = p.get("rel")
    org = p.get("org")
    if r < 0.15 and isinstance(org, dict) and org.get("text"):
        org["text"] = s2t.convert(org["text"])          # Traditional mention
    elif r < 0.22 and isinstance(org, dict) and org.get("alt"):
        org["text"] = org["alt"][0]                       # spelled as an alt
    elif r < 0.28 and isinstance(org, dict) and org.get("name"):
        org["text"] = org["name"]                         # spelled as canonical name
    elif r < 0.32 and isinstance(org, dict) and org.get("text"):
        t = org["text"]; org["text"] = t[:1] + "(shì)" + t[1:]   # pinyin gloss
    elif r < 0.36 and isinstance(org, dict) and org.get("text"):
        org["text"] = org["text"] + "办公室"             # wrong org
    elif r < 0.40 and isinstance(org, dict) and org.get("name"):
        org["name"] = org["name"] + "局"                  # wrong canonical name
    task = p.get("task")
    if isinstance(task, dict):
        r2 = rnd.random()
        if r2 < 0.1 and task.get("label"):
            task["label"] = "（" + str(task["label"]) + "）"   # punctuation around label
        elif r2 < 0.15 and task.get("label"):
            task["label"] = str(task["label"]) + "1"          # wrong label
        elif r2 < 0.2 and task.get("text"):
            task["text"] = s2t.convert(task["text"])
        elif r2 < 0.25 and task.get("anchor"):
            task.pop("anchor"); task["label"] = None
        if task.get("anchor") and "text" not in task:
            task["text"] = "前文" + task["anchor"] + "后文"
    ind = p.get("indicator")
    if isinstance(ind, dict):
        r3 = rnd.random()
        if r3 < 0.15 and isinstance(ind.get("value"), (int, float)):
            ind["value"] = ind["value"] * 2
        elif r3 < 0.25:
            ind["value"] = str(ind.get("value"))
        elif r3 < 0.32 and isinstance(ind.get("value"), (int, float)):
            ind["value"] = float(ind["value"]) + 1e-9
        elif r3 < 0.40:
            ind["unit"] = (ind.get("unit") or "") + "元"
        r4 = rnd.random()
        if r4 < 0.3:
            ind["comparator"] = rnd.choice([">=", "<=", "~", None, ""])
    if rel == "cooperates_with" and rnd.random() < 0.3:
        p["a"], p["b"] = p.get("b"), p.get("a")
    if rel == "holds_post" and rnd.random() < 0.3 and isinstance(p.get("post"), dict):
        p["post"]["text"] = s2t.convert(p["post"]["text"]) if rnd.random() < 0.5 else p["post"]["text"] + "长"
    ev = p.get("evidence")
    if isinstance(ev, dict):
        r5 = rnd.random()
        if r5 < 0.1:
            ev["start"] = ev["start"] + 1
        elif r5 < 0.15:
            ev["start"] = str(ev["start"])
        elif r5 < 0.18:
            p.pop("evidence")
    pred.append(p)
    if rnd.random() < 0.05:
        pred.append(copy.deepcopy(p))  # duplicate -> false positive
# false facts
for d in docs:
    for k in range(3):
        pred.append({"doc": d, "rel": "leads", "task": {"label": str(90 + k), "text": "虚构任务"}, "org": {"text": "市虚构局", "type": "Department"},
                     "evidence": {"start": 0, "end": 2, "text": "xx"}})
    pred.append({"doc": d, "rel": "co_responsible", "task": {"label": "1", "text": "x"}, "org": {"text": "市各有关单位", "type": "Department"}})
    pred.append({"doc": d, "rel": "co_responsible", "task": {"label": "1", "text": "x"}, "org": {"text": "某单位", "type": "Collective"}})
    pred.append({"doc": d, "rel": "targets", "task": {"label": "1"}, "indicator": {"value": 7, "unit": "个"}})
    pred.append({"doc": d, "rel": "cooperates_with", "a": {"text": "@self"}, "b": {"text": "上海"}})
    pred.append({"doc": d, "rel": "issued_by", "org": {"text": "市人民政府办公室"}, "evidence": {"start": -5, "end": -1, "text": ""}})
    pred.append({"doc": d, "rel": "other_rel", "x": 1})
pred.append({"doc": "not_a_gold_doc", "rel": "leads", "task": {"label": "1"}, "org": {"text": "市发改委"}})
rnd.shuffle(pred)
with open(out, "w", encoding="utf-8") as f:
    for p in pred:
        f.write(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n")
print(len(facts), "gold ->", len(pred), "pred")
