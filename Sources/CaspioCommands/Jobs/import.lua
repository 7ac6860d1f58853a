-- `caspio import TABLE FILE`: rows from CSV (caspio.csv.rows), JSON or JSON Lines, typed by
-- the table (t:coerce) and all checked before the first write, then upserted by --key
-- (t:upsert) or inserted (t:insert).
local p, bar = ...
local json = caspio.json
local t = caspio.table(p.table)
local format = p.format or p.file:match("%.(jsonl?)$") or "csv"

local rows, lines = {}, {}
local function add(row, line)
  rows[#rows + 1] = t:coerce(row, line)
  lines[#lines + 1] = line
end

local stdin = p.file == "-"
if format == "csv" then
  for row, line in caspio.csv.rows(stdin and io.stdin or p.file) do add(row, line) end
elseif format == "json" or format == "jsonl" then
  local file = stdin and io.stdin or assert(io.open(p.file, "rb"))
  if format == "json" then
    local list = json.decode(file:read("a"))
    if type(list) ~= "table" or not json.is_array(list) then error(p.file .. ": a JSON array of objects expected", 0) end
    for i, row in ipairs(list) do add(row, i) end
  else
    local n = 0
    for text in file:lines() do
      n = n + 1
      if text:find("%S") then add(json.decode(text), n) end
    end
  end
  if not stdin then file:close() end
else
  error("--format must be csv, json or jsonl (got " .. format .. ")", 0)
end

local total = #rows
local function progress(done) bar.update(done, total) end
local summary
if p.key then
  local counts = t:upsert(rows, { key = p.key, concurrency = p.concurrency, progress = progress, lines = lines })
  summary = string.format("%s: %d row%s: %d inserted, %d updated, %d unchanged", p.table, total, total == 1 and "" or "s",
    counts.inserted, counts.updated, counts.unchanged)
  if counts.duplicated > 0 then
    -- Two imports at once without the lock, or rows written by hand.
    local note = string.format("%s: %d key%s held by more than one row of the table (an update changes them all)",
      p.table, counts.duplicated, counts.duplicated == 1 and " is" or "s are")
    io.stderr:write("caspio import: ", note, "\n")
  end
else
  -- An exported file holds PK_ID and the like, which Caspio refuses in a body.
  t:insert(rows, { concurrency = p.concurrency, progress = progress, omit_generated = true })
  summary = string.format("%s: %d row%s inserted", p.table, total, total == 1 and "" or "s")
end
bar.finish(summary)
