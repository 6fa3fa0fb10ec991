#!/usr/bin/env python3
"""Checks that `policykg eval --json` counts what the reference score.py counts.

Usage: python3 .ci/eval_agree.py SCORE_PY.json POLICYKG_EVAL.json
"""
import json, sys
py, rs = (json.load(open(p)) for p in sys.argv[1:3])
keys = ["leads", "co_responsible", "targets", "cooperates_with", "holds_post", "issued_by", "micro"]
bad = [k for k in keys if (py[k]["tp"], py[k]["pred"], py[k]["gold"]) != (rs[k]["tp"], rs[k]["pred"], rs[k]["gold"])]
print("eval agreement with score.py:", "ok" if not bad else f"DIFFER on {bad}", f"(micro F1 {py['micro']['F1']})")
sys.exit(1 if bad else 0)
