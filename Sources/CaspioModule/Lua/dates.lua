-- Dates: Caspio's ISO 8601 text (no offset) to a table os.time reads, and back.
local caspio, internal = ...
local usage = internal.usage
local format = string.format

local date_mt = { __name = "caspio.date" }
date_mt.__tostring = function(d) return caspio.date.format(d) end

local DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function days_in(year, month)
  if month == 2 and (year % 4 == 0 and (year % 100 ~= 0 or year % 400 == 0)) then return 29 end
  return DAYS[month]
end

-- Checks the parts of a date; `what` names where they came from, for the message.
local function checked(d, what)
  for _, part in ipairs({ "year", "month", "day", "hour", "min", "sec", "ms" }) do
    if d[part] ~= nil and math.type(d[part]) ~= "integer" then
      usage("%s: %s must be an integer (got %s)", what, part, internal.describe(d[part]))
    end
  end
  if d.year == nil or d.month == nil or d.day == nil then usage("%s: a date needs year, month and day", what) end
  local ok = d.month >= 1 and d.month <= 12 and d.day >= 1 and d.day <= days_in(d.year, d.month)
    and (d.hour or 0) >= 0 and (d.hour or 0) <= 23 and (d.min or 0) >= 0 and (d.min or 0) <= 59
    and (d.sec or 0) >= 0 and (d.sec or 0) <= 59 and (d.ms or 0) >= 0 and (d.ms or 0) <= 999
  if not ok then
    usage("%s: %04d-%02d-%02d %02d:%02d:%02d.%03d is not a date", what, d.year, d.month, d.day, d.hour or 0, d.min or 0, d.sec or 0, d.ms or 0)
  end
  return d
end

caspio.date = {}

--- "2024-01-05", "2024-01-05T09:30", "2022-01-25T15:17:10.607" (a space for the T too) to
--- {year, month, day, hour, min, sec, ms}; os.time(t) reads it as local time.
function caspio.date.parse(text)
  if type(text) ~= "string" then usage("bad argument #1 to 'parse' (date text expected, got %s)", internal.describe(text)) end
  local y, mo, d, rest = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  local h, mi, s, fraction = 0, 0, 0, nil
  if rest and rest ~= "" then
    local hh, mm, tail = rest:match("^[T ](%d%d):(%d%d)(.*)$")
    if tail and tail ~= "" then
      s, fraction = tail:match("^:(%d%d)%.?(%d*)$")
      if s == nil then hh = nil end
    end
    h, mi = hh, mm
  end
  if y == nil or h == nil then
    usage("caspio.date.parse: %q is not one of Caspio's dates (2024-01-05, 2024-01-05T09:30:00 or 2022-01-25T15:17:10.607)", text)
  end
  -- Caspio writes up to 7 digits of fraction: milliseconds are the first three.
  local ms = (fraction and fraction ~= "") and math.tointeger(tonumber((fraction .. "00"):sub(1, 3))) or 0
  return setmetatable(checked({
    year = math.tointeger(tonumber(y)), month = math.tointeger(tonumber(mo)), day = math.tointeger(tonumber(d)),
    hour = math.tointeger(tonumber(h)), min = math.tointeger(tonumber(mi)), sec = math.tointeger(tonumber(s)), ms = ms,
  }, "caspio.date.parse"), date_mt)
end

--- A date table (caspio.date.parse's, os.date("*t")'s) or an os.time() number (local time)
--- to Caspio's "2024-01-05T09:30:00" (".607" when there are milliseconds).
function caspio.date.format(value)
  if math.type(value) == "integer" or math.type(value) == "float" then
    local whole = math.floor(value)
    local t = os.date("*t", whole)
    t.ms = math.floor((value - whole) * 1000 + 0.5) % 1000
    value = t
  elseif type(value) ~= "table" then
    usage("bad argument #1 to 'format' (a date table or an os.time() number expected, got %s)", internal.describe(value))
  end
  local d = checked(value, "caspio.date.format")
  local text = format("%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day, d.hour or 0, d.min or 0, d.sec or 0)
  if (d.ms or 0) > 0 then text = text .. format(".%03d", d.ms) end
  return text
end

--- Whether a where value is a date table (it is quoted as a date literal, not a list).
function internal.is_date(value)
  return type(value) == "table" and (getmetatable(value) == date_mt or (value.year ~= nil and value.month ~= nil and value[1] == nil))
end

-- A row with its date values as Caspio's text, or the row itself when it holds none.
local function row_dates_as_text(row)
  local copy
  for name, value in pairs(row) do
    if type(value) == "table" and internal.is_date(value) then
      if copy == nil then
        copy = {}
        for k, v in pairs(row) do copy[k] = v end
      end
      copy[name] = caspio.date.format(value)
    end
  end
  return copy or row
end

--- A JSON body to send with its dates written as Caspio's text: a row, or a list of rows
--- (a bulk write). The script's tables are left as they are.
function internal.dates_as_text(body)
  if type(body) ~= "table" or internal.is_date(body) then return body end
  if body[1] == nil then return row_dates_as_text(body) end
  local out
  for i, row in ipairs(body) do
    local plain = type(row) == "table" and row_dates_as_text(row) or row
    if plain ~= row and out == nil then
      out = {}
      for j = 1, i - 1 do out[j] = body[j] end
    end
    if out then out[i] = plain end
  end
  if out == nil then return body end
  return getmetatable(body) and setmetatable(out, getmetatable(body)) or out
end
