-- Concurrent updates: lower-case every customer's e-mail address, 8 requests at a time.
-- Run it: caspio run --sandbox examples/concurrent-update.lua  (without --sandbox: your account, CASPIO_* set)
-- It changes the field Email of the table Customers.
local customers = caspio.table("Customers")

-- Collect the rows that need a change (reading holds one page in memory at a time).
local todo = {}
for row in customers:rows({ select = { "PK_ID", "Email" }, orderBy = "PK_ID" }) do
  if type(row.Email) == "string" and row.Email ~= row.Email:lower() then todo[#todo + 1] = row end
end
print(#todo .. " addresses to lower-case")

-- caspio.map calls the function for each row with up to 8 requests in flight and returns
-- the results in the order of `todo`. On the first error it starts nothing new, cancels the
-- requests in flight and raises the error with err.index, the position of the failed item.
local ok, result = pcall(caspio.map, todo, function(row)
  return customers:update({ PK_ID = row.PK_ID }, { Email = row.Email:lower() })
end, { concurrency = 8 })
if not ok then
  local row = type(result) == "table" and result.index and todo[result.index]
  if row then io.stderr:write(("customer %d was not updated\n"):format(row.PK_ID)) end
  error(result, 0)
end
for i, affected in ipairs(result) do assert(affected == 1, "customer " .. todo[i].PK_ID) end

-- Check: no upper case left.
for row in customers:rows({ select = { "PK_ID", "Email" } }) do
  assert(type(row.Email) ~= "string" or row.Email == row.Email:lower(), row.PK_ID)
end
local stats = caspio.stats()
-- A write is a PUT on v3, a PATCH on v4.
local writes = (stats.requests_by_method.PUT or 0) + (stats.requests_by_method.PATCH or 0)
print(("updated %d rows with %d requests (%d writes)"):format(#result, stats.requests, writes))
