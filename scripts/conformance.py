#!/usr/bin/env python3
"""Validates recorded sandbox answers against Caspio's OpenAPI document.

usage: scripts/conformance.py OPENAPI.json RECORDED.json

RECORDED.json is a list of {"path": "/v3/tables/{tableName}/records", "method": "get",
"status": 200, "body": <parsed JSON or null>, "empty": bool}, written by the Swift test
CaspioSandboxTests/ConformanceTests. Each answer's status must be one the operation declares;
a JSON body must validate against the declared schema (OpenAPI 3.0 rules: nullable etc.);
a status declared without content must come with an empty body.
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


def main():
    spec_path, recorded_path = sys.argv[1], sys.argv[2]
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
    for problem in problems:
        print(problem)
    print(f"{len(recorded)} answers checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
