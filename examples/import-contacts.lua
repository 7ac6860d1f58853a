-- Sync a spreadsheet into a table by e-mail address: new rows inserted, changed ones updated,
-- identical ones left alone; run it twice and the second run writes nothing.
-- Run it: caspio run --sandbox examples/import-contacts.lua [FILE.csv]  (the command-line twin:
-- caspio import Customers examples/contacts.csv --key Email; add --dry-run to see the writes first)
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local path = arg[1] or (here .. "/contacts.csv")
local customers = caspio.table("Customers")

-- Every row typed by the table's fields and checked before the first write: a bad cell
-- stops the run with its line, and nothing is half-imported.
local rows, lines = {}, {}
for row, line in caspio.csv.rows(path) do
  rows[#rows + 1] = customers:coerce(row, line)
  lines[#lines + 1] = line
end

-- Caspio compares text without regard to case: Customer001@Example.COM is the same key.
local result = customers:upsert(rows, { key = "Email", concurrency = 4, lines = lines })
print(string.format("%d inserted, %d updated, %d unchanged", result.inserted, result.updated, result.unchanged))
local again = customers:upsert(rows, { key = "Email", lines = lines })
print(string.format("again: %d inserted, %d updated, %d unchanged", again.inserted, again.updated, again.unchanged))
