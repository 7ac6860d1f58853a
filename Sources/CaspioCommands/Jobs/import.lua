-- `caspio import TABLE FILE`: rows from CSV (caspio.csv.rows), JSON or JSON Lines, typed by
-- the table (t:coerce) and all checked before the first write, then upserted by --key
-- (t:upsert) or inserted (t:insert).
local p, bar = ...
local json = caspio.json
local t = caspio.table(p.table)
local format = p.format or p.file:match("%.(jsonl?)$") or "csv"

-- --columns or --skip: the fields taken from each row; a name no row has is an error, since
-- an option that matched nothing would import what it was meant to leave out.
local function name_set(list)
  if not list then return nil end
  local set = {}
  for name in list:gmatch("[^,]+") do set[name:match("^%s*(.-)%s*$")] = false end
  return set
end
local keep, skip = name_set(p.columns), name_set(p.skip)
local function choose(row)
  if not keep and not skip then return row end
  local out = {}
  for name, value in pairs(row) do
    if keep and keep[name] ~= nil then keep[name], out[name] = true, value end
    if skip then
      if skip[name] ~= nil then skip[name] = true else out[name] = value end
    end
  end
  return out
end

-- Every bad cell is reported (up to LIMIT), not only the first: a file is fixed in one pass.
local LIMIT = 50
local problems, first = {}, nil
local order = {}
for i, name in ipairs(t:columns()) do order[name] = i end
local function by_table_order(a, b)
  local x, y = order[a] or math.huge, order[b] or math.huge
  if x ~= y then return x < y end
  return tostring(a) < tostring(b)
end
local function bad(e)
  if type(e) ~= "table" or e.kind ~= "input" then error(e, 0) end
  first = first or e
  problems[#problems + 1] = e.message
end

local rows, lines = {}, {}
local function add(row, line)
  row = choose(row)
  local ok, coerced = pcall(t.coerce, t, row, line)
  if not ok then
    bad(coerced)
    problems[#problems] = nil
    -- Each cell on its own, in the table's order, to find every bad one of the row.
    local names = {}
    for name in pairs(row) do names[#names + 1] = name end
    table.sort(names, by_table_order)
    coerced = {}
    for _, name in ipairs(names) do
      local fine, cell = pcall(t.coerce, t, { [name] = row[name] }, line)
      if fine then coerced[name] = cell[name] else bad(cell) end
    end
  end
  rows[#rows + 1] = coerced
  lines[#lines + 1] = line
end

local stdin = p.file == "-"
if format ~= "csv" and p.delimiter then error("--delimiter is for CSV, not " .. format, 0) end
if format == "csv" then
  for row, line in caspio.csv.rows(stdin and io.stdin or p.file, { delimiter = p.delimiter }) do add(row, line) end
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

for option, set in pairs({ ["--columns"] = keep, ["--skip"] = skip }) do
  for name, found in pairs(set) do
    if not found then error(string.format("%s names %s, which no row of %s has", option, name, p.file), 0) end
  end
end
if #problems > 1 then
  local shown = {}
  for i = 1, math.min(#problems, LIMIT) do shown[i] = "  " .. problems[i] end
  if #problems > LIMIT then shown[#shown + 1] = string.format("  … and %d more", #problems - LIMIT) end
  first.message = string.format("%d bad cell%s in %s; nothing was written:\n%s", #problems, #problems == 1 and "" or "s",
    p.file == "-" and "standard input" or p.file, table.concat(shown, "\n"))
end
if first then error(first, 0) end

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
