"""Random gold/prediction pairs full of odd values (numbers as strings, full-width digits,
underscores, circled and bracketed labels, Traditional and pinyin spellings, null alts, string
alts, bad evidence offsets), for checking that policykg::eval follows score.py's Python
semantics.

usage: fuzz.py OUT_DIR SEED  (writes OUT_DIR/gold/*.jsonl, OUT_DIR/src/*.txt, OUT_DIR/pred.jsonl)"""
import json, os, random, sys, shutil
base, seed = sys.argv[1], int(sys.argv[2]); rnd = random.Random(seed)
shutil.rmtree(base, ignore_errors=True); os.makedirs(base + "/gold"); os.makedirs(base + "/src")
ORGS = ["市发改委", "市發改委", "市发(fā)改委", "市 发改委", "“市发改委”", "市各有关单位", "各有关部门", "市直各部门", "区直单位", "县相关部门", "其他", "全市各级", "市财政局", "財政局", "*市财政局*", "市委组织部", "乾隆公司", "關於办", "魏徵局", "", "ＡＢＣ局", "市\u3000财政局", "市\x1c财政局"]
LABELS = ["1", "2", "(1)", "（一）", "一", "一、", "①", "⑴", "1.", "１", " 1 ", "3(sān)", "二", "⑳", "20", "1:", "三．", 1, 2, 1.0, True, None, "", "壹"]
VALUES = [3100, "3100", 3100.0, "3_100", "３１００", " 3100 ", "3100.0000001", 3100.000001, "3,100", "inf", "nan", "Infinity", True, 1, "1", None, "", [1], "1e3", 1000, "1_000.0", "_1", "1__0", 6.2, "6.2", 6.2000000001]
UNITS = ["个", "個", "%", "％", "亿元", "億元", "", None, "万人", " 个 ", 0, "家"]
COMPS = ["=", ">=", "<=", "~", None, "", 0, False, "range", 1, True]
ANCHORS = ["全面实施", "全面實施", "实施行政", "", None, "xyz", "許可"]
TEXTS = ["全面实施行政许可事项清单管理", "全面實施行政許可事項清單管理", "其他任务", "", None, 5]
PEOPLE = ["聂立新", "聶立新", "聂(niè)立新", None, "", "张三"]
POSTS = ["局长", "局長", "副部长", "", None, "记者"]
def ent():
    r = rnd.random()
    if r < 0.05: return None
    if r < 0.08: return {}
    e = {"text": rnd.choice(ORGS)}
    if rnd.random() < 0.3: e["name"] = rnd.choice(ORGS + ["无为市发展和改革委员会", None, 0, ""])
    if rnd.random() < 0.2: e["alt"] = rnd.choice([[rnd.choice(ORGS)], [None], "发改委", {"市发改委": 1}, [], None, [rnd.choice(ORGS), rnd.choice(ORGS)]])
    if rnd.random() < 0.3: e["type"] = rnd.choice(["Department", "Collective", None, "collective"])
    if rnd.random() < 0.1: e["text"] = rnd.choice(["@self", "", None, 0, 12, 1.5, True])
    return e
def task():
    r = rnd.random()
    if r < 0.05: return None
    t = {}
    if rnd.random() < 0.8: t["label"] = rnd.choice(LABELS)
    if rnd.random() < 0.4: t["anchor"] = rnd.choice(ANCHORS)
    if rnd.random() < 0.6: t["text"] = rnd.choice(TEXTS)
    return t
SRC = "关于全面实施行政许可事项清单管理的通知。\r\n市發改委牽頭，𠀋字在此。末尾"
def evidence():
    r = rnd.random()
    if r < 0.1: return None
    if r < 0.15: return rnd.choice(["abc", [1, 2], 0, {}])
    s = rnd.choice([0, 1, 2, -3, -100, 100, "2", " 2 ", "2.0", 2.7, True, None, "٢", "1_0", -0.5])
    e = rnd.choice([4, 6, 10, -1, 200, "6", 6.9, False, None, 0, 32, 33, 34])
    try:
        text = SRC[int(s):int(e)]
    except Exception:
        text = "关于"
    if rnd.random() < 0.2: text = rnd.choice(["", "关于", 5, None])
    ev = {"start": s, "end": e, "text": text}
    if rnd.random() < 0.1: ev.pop(rnd.choice(["start", "end", "text"]))
    return ev
def fact(doc):
    rel = rnd.choice(["leads", "co_responsible", "targets", "cooperates_with", "holds_post", "issued_by", "other", None])
    f = {"doc": doc, "rel": rel}
    if rel in ("leads", "co_responsible"):
        f["task"] = task(); f["org"] = ent()
    elif rel == "targets":
        f["task"] = task(); f["indicator"] = {"value": rnd.choice(VALUES), "unit": rnd.choice(UNITS)}
        if rnd.random() < 0.7: f["indicator"]["comparator"] = rnd.choice(COMPS)
    elif rel == "cooperates_with":
        f["a"] = ent(); f["b"] = ent()
    elif rel == "holds_post":
        f["person"] = rnd.choice([{"text": rnd.choice(PEOPLE)}, None, {}])
        f["post"] = rnd.choice([{"text": rnd.choice(POSTS)}, {"text": rnd.choice(POSTS), "alt": [rnd.choice(POSTS)]}, None])
        if rnd.random() < 0.6: f["org"] = ent()
    elif rel == "issued_by":
        f["org"] = ent()
    if rnd.random() < 0.8: f["evidence"] = evidence()
    return f
docs = ["d1", "d2", "d3", "d4"]
golds = []
for d in docs:
    with open(f"{base}/gold/{d}.jsonl", "w") as fh:
        for _ in range(rnd.randint(0, 40)):
            g = fact(d); golds.append(g)
            fh.write(json.dumps(g, ensure_ascii=False, sort_keys=True) + "\n")
import copy
derived = []
for g in golds:
    if rnd.random() < 0.8:
        p = copy.deepcopy(g)
        k = rnd.choice(["task", "org", "a", "b", "indicator", "person", "post", "evidence", None, None])
        if k == "task": p["task"] = task()
        elif k in ("org", "a", "b") and k in p: p[k] = ent()
        elif k == "indicator" and isinstance(p.get("indicator"), dict): p["indicator"][rnd.choice(["value", "unit", "comparator"])] = rnd.choice(VALUES + UNITS + COMPS)
        elif k == "person": p["person"] = {"text": rnd.choice(PEOPLE)}
        elif k == "post": p["post"] = {"text": rnd.choice(POSTS)}
        elif k == "evidence": p["evidence"] = evidence()
        derived.append(p)
for d in docs[:3]:
    open(f"{base}/src/{d}.txt", "w").write(SRC if d != "d2" else "\ufeff" + SRC)
with open(f"{base}/pred.jsonl", "w") as fh:
    allp = derived + [fact(rnd.choice(docs + ["zz"])) for _ in range(100)]
    rnd.shuffle(allp)
    for p in allp:
        fh.write(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n")
