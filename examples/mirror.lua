-- A live SQL copy of the account in SQLite: the first run copies every table, the next one reads what changed.
-- Run it: caspio run --sandbox examples/mirror.lua [PATH.db]  (the command: caspio mirror sqlite:PATH.db --all;
-- from cron, see "caspio mirror" in the README)
local path = arg[1] or os.tmpname()
local target = "sqlite:" .. path

local first = caspio.mirror({ target = target, all = true })
for _, r in ipairs(first.tables) do print(r.line) end
print(first.total.line)

-- Changes and a delete in Caspio; the next run brings the copy up to date. Staff has a field
-- Caspio stamps on update (Updated), so only its rows changed since the last run are read;
-- Customers and Orders have none, so each is read in full.
caspio.table("Customers"):update("PK_ID = 1", { Name = "Ada Lovelace" })
caspio.table("Orders"):delete("PK_ID = 2")
caspio.table("Staff"):update("PK_ID = 2", { Name = "Ben Ortiz-Lee" })
local again = caspio.mirror({ target = target, tables = { "Customers", "Orders", "Staff" } })
for _, r in ipairs(again.tables) do print(r.line) end
print(again.total.line)

if arg[1] == nil then
  for _, suffix in ipairs({ "", "-wal", "-shm" }) do os.remove(path .. suffix) end
end
