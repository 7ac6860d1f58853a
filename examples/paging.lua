-- Paging: read every matching row, one page in memory at a time, and count by state.
-- Run it: caspio run --sandbox examples/paging.lua [STATE ...]  (without --sandbox: CASPIO_* set; default CA NY TX)
-- It reads the table Customers (Name, State, Email).
local states = { ... }
if #states == 0 then states = { "CA", "NY", "TX" } end

local per_state, total = {}, 0
for row in caspio.records("Customers", {
  where = { State = states },     -- State IN ('CA', 'NY', 'TX'), quoted for you
  select = { "PK_ID", "Name", "State" },
  orderBy = "PK_ID",              -- the default; any other order gets PK_ID appended, so that pages neither overlap nor skip
  pageSize = 100,                 -- the default is 1000; smaller here to show several pages
}) do
  per_state[row.State] = (per_state[row.State] or 0) + 1
  total = total + 1
end

for _, state in ipairs(states) do print(state, per_state[state] or 0) end
print("total", total)

-- Caspio counts without sending the rows: one request with q.getPaginationInfo.
local customers = caspio.table("Customers")
assert(customers:count({ State = states }) == total, "the count and the rows disagree")

-- A handle iterates too. limit stops without asking for another page; a small pageSize
-- keeps that one page small too.
for row in customers:rows({ where = { State = states }, orderBy = "PK_ID DESC", limit = 3, pageSize = 5 }) do
  print("latest", row.PK_ID, row.Name)
end

local stats = caspio.stats()
print(("%d rows read with %d requests"):format(stats.rows_read, stats.requests))
