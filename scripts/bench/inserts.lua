-- N new rows into Bench (Name is Unique) 8 at a time, by `insert` (t:insert) or `upsert`
-- (t:upsert keyed on Name, as `caspio import --key Name` runs it); prints the seconds taken
-- and what the run saw.
local n, how = tonumber(arg[1]) or 500, arg[2] or "upsert"
local rows = {}
for i = 1, n do rows[i] = { Name = "row " .. i } end
local t = caspio.table("Bench")
if how == "insert" then
  t:insert(caspio.json.array(rows), { concurrency = 8 })
else
  t:upsert(rows, { key = "Name", concurrency = 8 })
end
local s = caspio.stats()
print(string.format("%.2f\t%d\t%d\t%d\t%d\t%.2f", s.duration, s.requests, s.retries, s.throttled, s.pauses, s.paused))
