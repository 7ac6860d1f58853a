"""The same read with Python requests.Session + json, the usual way to script Caspio."""
import json, sys
import requests

base, token_url = sys.argv[1], sys.argv[2]
s = requests.Session()
token = s.post(token_url, data={"grant_type": "client_credentials", "client_id": "bench", "client_secret": "bench"}).json()
s.headers["Authorization"] = "Bearer " + token["access_token"]
rows, page = 0, 1
while True:
    r = s.get(base + "/tables/Bench/records", params={"q.pageNumber": page, "q.pageSize": 1000})
    result = json.loads(r.content)["Result"]
    rows += len(result)
    if len(result) < 1000:
        break
    page += 1
print(rows, "rows")
