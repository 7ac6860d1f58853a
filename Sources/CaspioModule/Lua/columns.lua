-- A table's design as data jobs need it: t:columns() in the table's order, and t:coerce(row)
-- turning text cells (CSV) into the types of the table's fields.
local caspio, internal = ...
local json, usage = internal.json, internal.usage
local format = string.format
local Table = internal.Table

-- The design of each table or view, read once per run: a job asks for it for every row.
local designs = {}

--- The field list of t (GET …/fields), cached for the run.
function internal.design(t)
  local path = t:path("/fields")
  if designs[path] == nil then
    local fields = internal.dialect().fields(path)
    local by_name = {}
    for _, field in ipairs(fields) do by_name[field.Name] = field end
    designs[path] = { fields = fields, by_name = by_name }
  end
  return designs[path]
end

--- The names of the fields records hold, in the table's order (as Caspio shows them):
--- PASSWORD fields, which records never show and reads cannot select, are left out.
function Table:columns()
  local names = json.array({})
  for _, field in ipairs(internal.design(self).fields) do
    if field.Type ~= "PASSWORD" then names[#names + 1] = field.Name end
  end
  return names
end

-- Coercion -----------------------------------------------------------------------------------

local function trim(s) return (s:match("^%s*(.-)%s*$")) end

local BOOLEAN = { yes = true, ["true"] = true, ["1"] = true, no = false, ["false"] = false, ["0"] = false }
local DAYS = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

-- "2024-01-05", "2024-01-05T15:17", "2024-01-05 15:17:10.607" -> "2024-01-05T15:17:10[.607]".
local function iso_date(text)
  local y, m, d, rest = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not y then return nil end
  m, d = tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 or d > DAYS[m] then return nil end
  if m == 2 and d == 29 and not ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then return nil end
  local hh, mm, ss, fraction = "00", "00", "00", ""
  if rest ~= "" then
    local h, mi, tail = rest:match("^[T ](%d%d):(%d%d)(.*)$")
    if not h then return nil end
    hh, mm = h, mi
    if tail ~= "" then
      local s, f = tail:match("^:(%d%d)(%.?%d*)$")
      if not s or f == "." then return nil end
      ss, fraction = s, f
    end
    if tonumber(hh) > 23 or tonumber(mm) > 59 or tonumber(ss) > 59 then return nil end
  end
  return format("%s-%02d-%02dT%s:%s:%s%s", y, m, d, hh, mm, ss, fraction)
end

-- Each type's conversion of a non-empty text: the value, or nil when it does not convert.
local converters = {
  INTEGER = function(text) return math.tointeger(tonumber(text:find("^[+-]?%d+$") and text or "")) end,
  NUMBER = function(text)
    if not text:find("^[+-]?%d*%.?%d+[eE]?[+-]?%d*$") and not text:find("^[+-]?%d+%.$") then return nil end
    return tonumber(text)
  end,
  ["YES/NO"] = function(text) return BOOLEAN[text:lower()] end,
  ["DATE/TIME"] = iso_date,
}
converters.CURRENCY = converters.NUMBER
converters.AUTONUMBER = converters.INTEGER
converters.TIMESTAMP = converters["DATE/TIME"]

local EXPECTED = {
  INTEGER = "a whole number", NUMBER = "a number (with a . for decimals)", CURRENCY = "a number (with a . for decimals)",
  ["YES/NO"] = "yes/no, true/false or 1/0", ["DATE/TIME"] = "an ISO date, e.g. 2024-01-05 or 2024-01-05T15:17:10",
}
EXPECTED.AUTONUMBER, EXPECTED.TIMESTAMP = EXPECTED.INTEGER, EXPECTED["DATE/TIME"]

--- A copy of row with its text cells turned into the types of the table's fields: empty text
--- is null. A field the table lacks, or text that does not convert, is an input error naming
--- the field and the value (and `line`, when given: where the row came from).
function Table:coerce(row, line)
  if type(row) ~= "table" then usage("bad argument #1 to 'coerce' (row table expected)") end
  local design = internal.design(self)
  local where = line and format("line %d: ", line) or ""
  local out = {}
  for name, value in pairs(row) do
    local field = design.by_name[name]
    if field == nil then
      local names = {}
      for i, f in ipairs(design.fields) do names[i] = f.Name end
      internal.bad_input(format("%s%s has no field '%s'%s", where, self.name, tostring(name), internal.native.nearest(tostring(name), table.unpack(names))),
        { line = line, field = name })
    end
    local kind = field.Type
    if type(value) == "string" then
      local text = trim(value)
      local convert = converters[kind]
      if text == "" then
        value = json.null
      elseif kind and kind:find("^LIST%-") then
        internal.bad_input(format("%sfield %s is a %s field, which cannot be written through the REST API", where, name, kind), { line = line, field = name, value = value })
      elseif convert then
        local converted = convert(text)
        if converted == nil then
          internal.bad_input(format("%sfield %s: cannot convert %q to %s (expected %s)", where, name, value, kind, EXPECTED[kind]),
            { line = line, field = name, value = value })
        end
        value = converted
      end
    end
    out[name] = value
  end
  return out
end

-- Comparison -----------------------------------------------------------------------------------

--- A value as a field of type `kind` stores it, for telling whether a write would change a row:
--- "2" and 2 for INTEGER, 1 and true for YES/NO, "…:12.000", "…:12" and a date table for
--- DATE/TIME are the same. Values that do not convert are returned as they are (a write
--- then lets Caspio judge them).
function internal.comparable(kind, value)
  if value == nil then return json.null end
  if type(value) == "table" and internal.is_date(value) then value = caspio.date.format(value) end
  if kind == "YES/NO" and math.type(value) == "integer" and (value == 0 or value == 1) then return value == 1 end
  if type(value) ~= "string" then return value end
  local text = trim(value)
  local convert = converters[kind]
  if text == "" then return kind and converters[kind] and json.null or value end
  local converted = convert and convert(text)
  if converted == nil then return value end
  if type(converted) == "string" then
    -- Dates: fractions of a second without their trailing zeros (".000" is no fraction).
    converted = converted:gsub("(%.%d-)0+$", "%1"):gsub("%.$", "")
  end
  return converted
end
