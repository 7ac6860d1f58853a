-- Quick start: which account caspio talks to, its tables, and a first query.
-- Run it: caspio run --sandbox examples/quickstart.lua  (the embedded sandbox: no account needed). Against
-- your account: drop --sandbox and set CASPIO_* or a config.toml profile (`caspio auth` checks).
-- It reads the table Customers (Name, State, Email).

-- Signing in is automatic: the first request takes the cached token (or gets one) and
-- renews it when it expires. Do not call caspio.auth() just to sign in: it forces a new
-- grant, and every grant mints a refresh token, of which an account may hold only 1,000.
local config = caspio.config
print(("account: %s (profile %s)"):format(config.base_url, config.profile or "none"))

-- The account's tables, by name (on REST API v4 too, where Caspio addresses them by id).
local tables = caspio.tables()
table.sort(tables)
print(#tables .. " tables: " .. table.concat(tables, ", ", 1, math.min(#tables, 10)))

-- A query: where, select, orderBy and limit, written as Lua tables or as SQL text.
local customers = caspio.table("Customers")
local page = customers:all({ where = { State = "CA" }, select = { "PK_ID", "Name", "Email" }, orderBy = "Name", limit = 5 })
for _, row in ipairs(page) do print(row.PK_ID, row.Name, row.Email) end

-- Counting is one request, whatever the table holds.
local in_ca = customers:count({ State = "CA" })
print(in_ca .. " customers in CA")
assert(#page == math.min(in_ca, 5))

-- Errors are tables that say what failed, where, and Caspio's request id.
local ok, err = pcall(function() return caspio.table("NoSuchTable"):count() end)
assert(not ok and err.kind == "http" and err.status == 404)
print("as expected: " .. tostring(err))

-- Any endpoint of the base URL's REST API is caspio.get(path, query) (and post, put, delete;
-- caspio.request for any method), in that version's own terms: docs/lua-api.md "Requests".
print(caspio.stats().requests .. " requests")
