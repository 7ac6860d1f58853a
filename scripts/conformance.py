#!/usr/bin/env python3
"""Validates recorded sandbox answers against Caspio's OpenAPI document.

usage: scripts/conformance.py [--all] OPENAPI.json RECORDED.json

RECORDED.json is a list of {"path": "/v3/tables/{tableName}/records", "method": "get",
"status": 200, "body": <parsed JSON or null>, "empty": bool}, written by the Swift test
CaspioSandboxTests/ConformanceTests. Each answer's status must be one the operation declares;
a JSON body must validate against the declared schema (OpenAPI 3.0 rules: nullable etc.);
a status declared without content must come with an empty body.
With --all, every operation of the document must have been answered at least once with a
status below 400 (a walk through the whole API, not only its error paths).
Prints one line per problem and exits 1 if there is any.
"""
import json
import sys

from openapi_schema_validator import OAS30Validator


def relax(node):
    """Caspio's document types C#'s `object` (any value) as {"type": "object"}: a record's
    field values are strings, numbers, booleans and nulls in real answers too. Such an empty
    object schema is read as "any value"; every other constraint is kept."""
    if isinstance(node, dict):
        if node.get("type") == "object" and set(node) <= {"type", "description"}:
            return {}
        return {k: relax(v) for k, v in node.items()}
    if isinstance(node, list):
        return [relax(v) for v in node]
    return node


# Statuses Caspio answers that the document leaves out, each with its source.
UNDECLARED = {
    ("/v3/files", "post", 409): "API-NOTES.md: 409 on a name clash",
}

ERROR_KEYS = ("Code", "Message", "Resource", "RequestId")


def error_problems(item):
    """Caspio's error body (API-NOTES.md, "Errors"), which the document does not declare."""
    body = item["body"]
    if item["empty"]:
        return []
    if not isinstance(body, dict) or any(not isinstance(body.get(k), str) for k in ERROR_KEYS):
        return [f"expected Caspio's error body {{{', '.join(ERROR_KEYS)}}}, got {json.dumps(body)[:200]}"]
    return []


def main():
    args = sys.argv[1:]
    require_all = "--all" in args
    spec_path, recorded_path = [a for a in args if a != "--all"]
    spec = relax(json.load(open(spec_path)))
    recorded = json.load(open(recorded_path))
    problems = []
    for item in recorded:
        where = f'{item["method"].upper()} {item["path"]} -> {item["status"]}'
        operation = spec["paths"].get(item["path"], {}).get(item["method"])
        if operation is None:
            problems.append(f"{where}: no such operation in the document")
            continue
        response = operation["responses"].get(str(item["status"]))
        if item["status"] >= 400:
            problems += [f"{where}: {p}" for p in error_problems(item)]
        if response is None and (item["path"], item["method"], item["status"]) in UNDECLARED:
            continue
        if response is None:
            problems.append(f'{where}: status not declared (declared: {", ".join(operation["responses"])})')
            continue
        content = response.get("content", {})
        media = content.get("application/json") or next(iter(content.values()), None)
        schema = (media or {}).get("schema")
        if not schema:
            if not item["empty"] and item["status"] < 400:
                problems.append(f"{where}: declared without a body, but one was sent")
            continue
        if schema.get("format") == "binary":
            continue  # a download: any bytes
        if item["empty"] and schema.get("nullable"):
            continue  # e.g. POST records without response=rows: 201 and no body, as declared
        if item["body"] is None:
            problems.append(f"{where}: expected JSON")
            continue
        # `#/components/…` references resolve against the schema's root: give it the components.
        validator = OAS30Validator({**schema, "components": spec["components"]})
        for error in validator.iter_errors(item["body"]):
            problems.append(f'{where}: {"/".join(map(str, error.absolute_path))}: {error.message}')
    if require_all:
        answered = {(i["path"], i["method"]) for i in recorded if i["status"] < 400}
        declared = [(p, m) for p, ops in spec["paths"].items() for m in ops if m in ("get", "put", "post", "delete", "patch")]
        print(f"{len(answered & set(declared))} of {len(declared)} operations answered successfully")
        for path, operations in spec["paths"].items():
            for method in operations:
                if method in ("get", "put", "post", "delete", "patch") and (path, method) not in answered:
                    problems.append(f"{method.upper()} {path}: never answered successfully")
    for problem in problems:
        print(problem)
    print(f"{len(recorded)} answers checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
