-- Where clauses: caspio.where builds SQL from a table of fields, quoting every literal.
local caspio, internal = ...
local json, usage = internal.json, internal.usage
local format, concat = string.format, table.concat

local raw_mt = { __name = "caspio.where.raw" }
raw_mt.__tostring = function(r) return r.sql end
internal.raw_mt = raw_mt

local function literal(value, field)
  local kind = type(value)
  if kind == "string" then
    return "'" .. value:gsub("'", "''") .. "'"
  elseif math.type(value) == "integer" then
    return format("%d", value)
  elseif kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then
      usage("caspio.where: %s is %s, which SQL cannot compare", field, tostring(value))
    end
    -- The shortest text that reads back as the same float: 0.1, not 0.10000000000000001,
    -- which SQL Server reads as a decimal literal that a DECIMAL column's 0.10 never equals.
    local text
    for digits = 15, 17 do
      text = format("%." .. digits .. "g", value)
      if tonumber(text) == value then break end
    end
    return text
  elseif kind == "boolean" then
    return value and "1" or "0"
  elseif getmetatable(value) == raw_mt then
    return value.sql
  elseif internal.is_date(value) then
    return "'" .. caspio.date.format(value) .. "'"
  end
  usage("caspio.where: %s has a %s value (use strings, numbers, booleans, dates, lists, json.null or caspio.where.raw)", field, kind)
end

--- The SQL of a where clause given as nil (""), a string, caspio.where.raw or a field table.
function internal.where_clause(where)
  if where == nil then return "" end
  if type(where) == "string" then return where end
  if getmetatable(where) == raw_mt then return where.sql end
  if type(where) ~= "table" then usage("a where clause must be a string or a table (got %s)", internal.describe(where)) end
  local fields = {}
  for field in pairs(where) do
    if type(field) ~= "string" or not field:match("^[%a_][%w_]*$") then
      usage("caspio.where: %s is not a field name", tostring(field))
    end
    fields[#fields + 1] = field
  end
  table.sort(fields)
  local parts = {}
  for _, field in ipairs(fields) do
    local value = where[field]
    if value == json.null then
      parts[#parts + 1] = field .. " IS NULL"
    elseif type(value) == "table" and getmetatable(value) ~= raw_mt and not internal.is_date(value) then
      if #value == 0 then usage("caspio.where: the list for %s is empty", field) end
      local items = {}
      for i, item in ipairs(value) do items[i] = literal(item, field) end
      parts[#parts + 1] = field .. " IN (" .. concat(items, ", ") .. ")"
    else
      parts[#parts + 1] = field .. "=" .. literal(value, field)
    end
  end
  return concat(parts, " AND ")
end

local where_clause = internal.where_clause

caspio.where = setmetatable({
  raw = function(sql)
    if type(sql) ~= "string" then usage("bad argument #1 to 'raw' (string expected)") end
    return setmetatable({ sql = sql }, raw_mt)
  end,
}, { __call = function(_, where) return where_clause(where) end })
