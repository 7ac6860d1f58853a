-- A live SQL copy of the account in SQLite: the first run copies every table, the next one reads what changed.
-- Run it: caspio run --sandbox examples/mirror.lua [PATH.db]  (the command: caspio mirror sqlite:PATH.db --all;
-- from cron, see "caspio mirror" in the README)
local path = arg[1] or os.tmpname()
local target = "sqlite:" .. path

local first = caspio.mirror({ target = target, all = true })
for _, r in ipairs(first.tables) do print(r.line) end
print(first.total.line)

-- A change and a delete in Caspio; the next run brings the copy up to date. These tables have
-- no field stamped on update, so each is read in full (with one, only changed rows would be).
caspio.table("Customers"):update("PK_ID = 1", { Name = "Ada Lovelace" })
caspio.table("Orders"):delete("PK_ID = 2")
local again = caspio.mirror({ target = target, tables = { "Customers", "Orders" } })
for _, r in ipairs(again.tables) do print(r.line) end
print(again.total.line)

if arg[1] == nil then
  for _, suffix in ipairs({ "", "-wal", "-shm" }) do os.remove(path .. suffix) end
end
