-- 200 single-row PUTs, sequentially or with caspio.map: `caspio run updates.lua seq|map`.
local mode = arg[1] or "seq"
local ids = {}
for i = 1, 200 do ids[i] = i end
local function update(id)
  return caspio.put("tables/Bench/records", { Note = "touched" }, { ["q.where"] = "PK_ID=" .. id }).RecordsAffected
end
local total = 0
if mode == "map" then
  for _, n in ipairs(caspio.map(ids, update, { concurrency = 8 })) do total = total + n end
else
  for _, id in ipairs(ids) do total = total + update(id) end
end
assert(total == 200, total)
