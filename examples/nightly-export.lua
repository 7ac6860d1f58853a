-- Nightly incremental export: the rows of a table changed since the last run, as a CSV file.
-- Run it: caspio run --sandbox examples/nightly-export.lua [OUT.csv]  (from cron, against your account:
-- caspio run --lock --timeout 1800 --quiet examples/nightly-export.lua; see "Unattended runs" in the README)
--
-- EXPORT_TABLE: the table (default Customers). EXPORT_FIELD: a field that only grows, such as
-- a "last modified" timestamp (default PK_ID, which catches new rows only). The watermark is
-- kept in caspio.state, and only moves once the file is complete: a failed run is redone.
-- (A whole table, no watermark: `caspio export Customers -o customers.csv`.)
local tbl = caspio.env("EXPORT_TABLE") or "Customers"
local field = caspio.env("EXPORT_FIELD") or "PK_ID"
local out_path = arg[1] or (tbl .. "-" .. os.date("!%Y%m%dT%H%M%SZ") .. ".csv")
local key = "since:" .. tbl .. ":" .. field
local t = caspio.table(tbl)

local function literal(value)
  if math.type(value) == "integer" then return tostring(value) end
  return "'" .. tostring(value):gsub("'", "''") .. "'"
end

-- The newest value first: rows written while the export runs wait for the next run.
local since = caspio.state.get(key)
local after = since ~= nil and (field .. ">" .. literal(since) .. " AND ") or ""
local newest = t:first({ where = since ~= nil and caspio.where.raw(field .. ">" .. literal(since)) or nil, orderBy = field .. " DESC", select = field })
if newest == nil then
  caspio.log.info("%s: nothing changed since %s", tbl, tostring(since))
  return
end
newest = newest[field]

-- Columns in the table's order; the file appears only once complete.
local count = t:export(out_path, { where = caspio.where.raw(after .. field .. "<=" .. literal(newest)), orderBy = field })
caspio.state.set(key, newest)
caspio.log.info("%s: %d rows to %s; next run starts after %s=%s", tbl, count, out_path, field, tostring(newest))
print(count .. " rows -> " .. out_path)
