-- Quick start: which account caspio talks to, its tables, and a first query.
-- Run it: caspio run --sandbox examples/quickstart.lua  (the embedded sandbox: no account needed). Against
-- your account: drop --sandbox and set CASPIO_* or a config.toml profile (`caspio auth` checks).
-- It reads the table Customers (Name, State, Email).

-- Signing in is automatic: the first request takes the cached token (or gets one) and
-- renews it when it expires. Do not call caspio.auth() just to sign in: it forces a new
-- grant, and every grant mints a refresh token, of which an account may hold only 1,000.
local config = caspio.config
print(("account: %s (profile %s)"):format(config.base_url, config.profile or "none"))

-- Any endpoint of the REST API: caspio.get returns the decoded JSON answer.
local tables = caspio.get("tables").Result
print(#tables .. " tables: " .. table.concat(tables, ", ", 1, math.min(#tables, 10)))

-- A query in Caspio's own terms (q.where, q.select, q.orderBy, q.limit):
local page = caspio.get("tables/Customers/records", {
  ["q.where"] = "State='CA'", ["q.select"] = "PK_ID,Name,Email", ["q.orderBy"] = "Name", ["q.limit"] = 5,
})
for _, row in ipairs(page.Result) do print(row.PK_ID, row.Name, row.Email) end

-- The same table through a handle: where tables are quoted for you.
local customers = caspio.table("Customers")
local in_ca = customers:count({ State = "CA" })
print(in_ca .. " customers in CA")
assert(#page.Result == math.min(in_ca, 5))

-- Errors are tables that say what failed, where, and Caspio's request id.
local ok, err = pcall(caspio.get, "tables/NoSuchTable/records")
assert(not ok and err.kind == "http" and err.status == 404)
print("as expected: " .. tostring(err))

print(caspio.stats().requests .. " requests")
