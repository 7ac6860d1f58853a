-- A first taste of caspio: read a Caspio-shaped page of JSON, summarise it, and write JSON.
-- Run it: caspio examples/json-report.lua
local json = caspio.json

local page = json.decode([[
{"Result": [
  {"PK_ID": 1, "Name": "Ada",    "State": "CA", "Orders": 12, "Balance": 1250.5,  "Manager": null},
  {"PK_ID": 2, "Name": "Brook",  "State": "NY", "Orders": 3,  "Balance": 80.25,   "Manager": "Ada"},
  {"PK_ID": 3, "Name": "Chiara", "State": "CA", "Orders": 7,  "Balance": 0.0,     "Manager": "Ada"},
  {"PK_ID": 9007199254740993, "Name": "Big id", "State": "TX", "Orders": 0, "Balance": 1e3, "Manager": null}
]}
]])

local by_state = {}
for _, row in ipairs(page.Result) do
  local s = by_state[row.State] or { customers = 0, orders = 0 }
  s.customers = s.customers + 1
  s.orders = s.orders + row.Orders          -- integers stay integers
  by_state[row.State] = s
end

-- null survives: the key is still there, and it is not nil.
assert(page.Result[1].Manager == json.null)

-- Integers beyond 2^53 are exact; floats stay floats.
assert(math.type(page.Result[4].PK_ID) == "integer")
print(json.encode(page.Result[4].PK_ID))  --> 9007199254740993
print(json.encode(page.Result[3].Balance)) --> 0.0

print(json.encode(by_state, { pretty = true, sort_keys = true }))
