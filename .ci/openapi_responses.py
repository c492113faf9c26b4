#!/usr/bin/env python3
"""The OpenAPI document describes what the API really returns (issue #16, part 5).

Schemathesis fuzzes every operation with random ids, so on the demo it mostly meets 404s; this
asks the demo's real resources — every period's results and each analysis table, the published
results and their documents, the assessments, fed leaves, the one-stop figures and apology
cases, units, frameworks, questionnaires and surveys lists — and validates each 200 body against the schema the document gives for it (JSON Schema
2020-12, as OpenAPI 3.1 uses). Usage: openapi_responses.py BASE_URL TOKEN
"""
import json
import sys
import urllib.error
import urllib.request

import jsonschema

base, token = sys.argv[1].rstrip("/"), sys.argv[2]


def get(path, auth=True):
    req = urllib.request.Request(base + path)
    if auth:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, json.loads(r.read().decode("utf-8"))


_, doc = get("/api/v1/openapi.json", auth=False)
components = doc.get("components", {})
checked, failures = 0, []


def check(template, path, auth=True):
    global checked
    op = doc["paths"][template]["get"]
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    status, body = get(path, auth)
    if status != 200:
        failures.append(f"{path}: status {status}")
        return body
    # the schema with the document's components beside it, so that $refs resolve
    wrapped = dict(schema)
    wrapped["components"] = components
    errors = sorted(jsonschema.Draft202012Validator(wrapped).iter_errors(body), key=lambda e: list(e.path))
    for e in errors[:5]:
        failures.append(f"{path}: at {'/'.join(map(str, e.path)) or '(root)'}: {e.message[:300]}")
    checked += 1
    return body


_, me = get("/api/v1/me")
assert me["role"] == "admin", f"the token is not the admin's: {me}"
for p in check("/api/v1/periods", "/api/v1/periods"):
    check("/api/v1/periods/{id}/results", f"/api/v1/periods/{p['id']}/results")
    check("/api/v1/periods/{id}/assessments", f"/api/v1/periods/{p['id']}/assessments")
    check("/api/v1/periods/{id}/feeds", f"/api/v1/periods/{p['id']}/feeds")
    if p.get("decision"):
        check("/api/v1/periods/{id}/feed-corrections", f"/api/v1/periods/{p['id']}/feed-corrections")
    for table in ["so-sanh", "phan-bo", "tu-cham-don-vi", "tu-cham-tieu-chi", "tieu-chi-yeu", "xu-huong"]:
        try:
            check("/api/v1/periods/{id}/analysis/{table}", f"/api/v1/periods/{p['id']}/analysis/{table}")
        except urllib.error.HTTPError as e:
            if e.code != 404:  # a table with nothing to show for this period is not there
                failures.append(f"analysis {table}: status {e.code}")
published = check("/api/v1/public/results", "/api/v1/public/results", auth=False)
for pub in published["publications"][:3]:
    check("/api/v1/public/results/{code}", f"/api/v1/public/results/{pub['period_code']}", auth=False)
check("/api/v1/units", "/api/v1/units")
# the registers that feed criteria (issue #18): this year's and earlier years' figures and cases
year = check("/api/v1/onestop", "/api/v1/onestop")["year"]
check("/api/v1/onestop", f"/api/v1/onestop?year={year - 1}")
check("/api/v1/apologies", "/api/v1/apologies")
check("/api/v1/plans", "/api/v1/plans")
for r in check("/api/v1/report-rounds", "/api/v1/report-rounds"):
    check("/api/v1/report-rounds/{id}/consolidation", f"/api/v1/report-rounds/{r['id']}/consolidation")
    for u in r["units"][:3]:
        check("/api/v1/report-rounds/{id}/units/{code}", f"/api/v1/report-rounds/{r['id']}/units/{u['code']}")
check("/api/v1/apologies", f"/api/v1/apologies?year={year - 1}&open=false")
check("/api/v1/frameworks", "/api/v1/frameworks")

for f in failures:
    print("MISMATCH", f)
print(f"{checked} responses checked against the document, {len(failures)} mismatches")
sys.exit(1 if failures or checked < 5 else 0)
