-- Nightly incremental export: the rows of a table changed since the last run, as a CSV file.
-- Run it: caspio run --sandbox examples/nightly-export.lua [OUT.csv]  (from cron, against your account:
-- caspio run --lock --timeout 1800 --quiet examples/nightly-export.lua; see "Unattended runs" in the README)
--
-- EXPORT_TABLE: the table (default Customers). EXPORT_FIELD: a field that only grows, such as
-- a "last modified" timestamp (default PK_ID, which catches new rows only). The watermark is
-- kept in caspio.state, and only moves once the file is complete: a failed run is redone.
local tbl = caspio.env("EXPORT_TABLE") or "Customers"
local field = caspio.env("EXPORT_FIELD") or "PK_ID"
local out_path = arg[1] or (tbl .. "-" .. os.date("!%Y%m%dT%H%M%SZ") .. ".csv")
local key = "since:" .. tbl .. ":" .. field

local since = caspio.state.get(key)
local where = nil
if since ~= nil then
  local literal = math.type(since) == "integer" and tostring(since) or ("'" .. tostring(since):gsub("'", "''") .. "'")
  where = caspio.where.raw(field .. ">" .. literal)
end

local function csv(value)
  if value == nil or value == caspio.json.null then return "" end
  local text = tostring(value)
  if text:find('[",\r\n]') then text = '"' .. text:gsub('"', '""') .. '"' end
  return text
end

-- Write to a temporary name and rename at the end, so that a half-written file never looks done.
local partial = out_path .. ".partial"
local out <close> = assert(io.open(partial, "w"))
caspio.atexit(function() os.remove(partial) end)  -- leftovers of a failed or stopped run

local columns, count, newest = nil, 0, since
for row in caspio.records(tbl, { where = where }) do
  if columns == nil then
    columns = {}
    for name in pairs(row) do columns[#columns + 1] = name end
    table.sort(columns)
    out:write(table.concat(columns, ","), "\n")
  end
  local cells = {}
  for i, name in ipairs(columns) do cells[i] = csv(row[name]) end
  out:write(table.concat(cells, ","), "\n")
  count = count + 1
  local value = row[field]
  if value ~= nil and value ~= caspio.json.null and (newest == nil or value > newest) then newest = value end
end
out:close()

if count == 0 then
  os.remove(partial)
  caspio.log.info("%s: nothing changed since %s", tbl, tostring(since))
  return
end
assert(os.rename(partial, out_path))
caspio.state.set(key, newest)
caspio.log.info("%s: %d rows to %s; next run starts after %s=%s", tbl, count, out_path, field, tostring(newest))
print(count .. " rows -> " .. out_path)
