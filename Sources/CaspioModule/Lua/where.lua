-- Where clauses: caspio.where builds SQL from a table of fields, quoting every literal.
local caspio, internal = ...
local json, usage = internal.json, internal.usage
local format, concat = string.format, table.concat

local raw_mt = { __name = "caspio.where.raw" }
raw_mt.__tostring = function(r) return r.sql end
internal.raw_mt = raw_mt

-- `{Email = caspio.not_null}`: the field holds a value.
local not_null = setmetatable({}, { __name = "caspio.not_null", __tostring = function() return "caspio.not_null" end })
caspio.not_null = not_null

-- `who` starts each message: the function the script called.
local function literal(value, field, who)
  local kind = type(value)
  if kind == "string" then
    return internal.dialect().string_literal(value)
  elseif math.type(value) == "integer" then
    return format("%d", value)
  elseif kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then
      usage("%s: %s is %s, which SQL cannot compare", who, field, tostring(value))
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
  elseif value == json.null then
    usage("%s: %s is compared with json.null, which SQL never matches that way: give json.null alone (IS NULL) or {ne = json.null} (IS NOT NULL)", who, field)
  elseif getmetatable(value) == raw_mt then
    return value.sql
  elseif internal.is_date(value) then
    return "'" .. caspio.date.format(value) .. "'"
  end
  usage("%s: %s has a %s value (use strings, numbers, booleans, dates, lists, json.null or caspio.where.raw)", who, field, kind)
end

local function is_plain_table(value)
  return type(value) == "table" and getmetatable(value) ~= raw_mt and value ~= not_null and not internal.is_date(value)
end

local function list_literal(list, field, who)
  if not is_plain_table(list) or (next(list) ~= nil and #list == 0) then
    usage("%s: %s needs a list of values (got %s)", who, field, internal.describe(list))
  end
  if #list == 0 then usage("%s: the list for %s is empty", who, field) end
  local items = {}
  for i, item in ipairs(list) do
    if is_plain_table(item) then usage("%s: %s has a table value", who, field) end
    items[i] = literal(item, field, who)
  end
  return "(" .. concat(items, ", ") .. ")"
end

local comparison

-- Each operator of a comparison table: what it makes of the field and its value.
local OPERATORS = {
  eq = function(f, v, who)
    if v == json.null then return f .. " IS NULL" end
    return f .. "=" .. literal(v, f, who)
  end,
  ne = function(f, v, who)
    if v == json.null then return f .. " IS NOT NULL" end
    return f .. "<>" .. literal(v, f, who)
  end,
  gt = function(f, v, who) return f .. ">" .. literal(v, f, who) end,
  gte = function(f, v, who) return f .. ">=" .. literal(v, f, who) end,
  lt = function(f, v, who) return f .. "<" .. literal(v, f, who) end,
  lte = function(f, v, who) return f .. "<=" .. literal(v, f, who) end,
  like = function(f, v, who)
    if type(v) ~= "string" then usage("%s: like for %s takes a pattern string (got %s)", who, f, internal.describe(v)) end
    return f .. " LIKE " .. literal(v, f, who)
  end,
  ["in"] = function(f, v, who) return f .. " IN " .. list_literal(v, f, who) end,
  between = function(f, v, who)
    local count = 0
    if is_plain_table(v) then for _ in pairs(v) do count = count + 1 end end
    if count ~= 2 or v[1] == nil or v[2] == nil then
      usage("%s: between for %s takes a list of two values, {low, high} (got %s)", who, f, internal.describe(v))
    end
    return f .. " BETWEEN " .. literal(v[1], f, who) .. " AND " .. literal(v[2], f, who)
  end,
  ["not"] = function(f, v, who) return "NOT (" .. comparison(f, v, who) .. ")" end,
}
for name, positive in pairs({ not_like = "like", not_in = "in", not_between = "between" }) do
  OPERATORS[name] = function(f, v, who) return "NOT (" .. OPERATORS[positive](f, v, who) .. ")" end
end
local OPERATOR_NAMES = "eq, ne, gt, gte, lt, lte, like, not_like, in, not_in, between, not_between, not"

-- One field's condition: a value (=), a list (IN), json.null, caspio.not_null, or a table of
-- operators joined with AND (`{gt = 1, lt = 9}`).
function comparison(field, value, who)
  if value == json.null then return field .. " IS NULL" end
  if value == not_null then return field .. " IS NOT NULL" end
  if not is_plain_table(value) then return field .. "=" .. literal(value, field, who) end
  local keys = 0
  for _ in pairs(value) do keys = keys + 1 end
  if #value > 0 and keys ~= #value then
    usage("%s: %s mixes a list with comparisons: use {[\"in\"] = {...}} beside the others", who, field)
  end
  if #value > 0 or keys == 0 then return field .. " IN " .. list_literal(value, field, who) end
  local names = {}
  for name in pairs(value) do
    if type(name) ~= "string" or OPERATORS[name] == nil then
      usage("%s: %s has an unknown comparison %s (use %s)", who, field,
        type(name) == "string" and "'" .. name .. "'" or internal.describe(name), OPERATOR_NAMES)
    end
    names[#names + 1] = name
  end
  table.sort(names)
  local parts = {}
  for i, name in ipairs(names) do parts[i] = OPERATORS[name](field, value[name], who) end
  return concat(parts, " AND ")
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
  for i, field in ipairs(fields) do parts[i] = comparison(field, where[field], "caspio.where") end
  return concat(parts, " AND ")
end


-- Clauses true of every row --------------------------------------------------------------------

-- `text` split at `word` (" or ", " and ") where it stands outside quotes and parentheses.
local function split_top(text, word)
  local parts, depth, quoted, start, i = {}, 0, false, 1, 1
  while i <= #text do
    local c = text:sub(i, i)
    if c == "'" then
      quoted = not quoted
    elseif not quoted and c == "(" then
      depth = depth + 1
    elseif not quoted and c == ")" then
      depth = depth - 1
    elseif not quoted and depth == 0 and text:sub(i, i + #word - 1) == word then
      parts[#parts + 1] = text:sub(start, i - 1)
      start = i + #word
      i = start - 1
    end
    i = i + 1
  end
  parts[#parts + 1] = text:sub(start)
  return parts
end

-- `(x)` as x, when the parentheses hold the whole of it.
local function unwrapped(text)
  while text:sub(1, 1) == "(" and text:sub(-1) == ")" do
    local depth, quoted = 0, false
    for i = 1, #text do
      local c = text:sub(i, i)
      if c == "'" then quoted = not quoted end
      if not quoted and c == "(" then depth = depth + 1 end
      if not quoted and c == ")" then depth = depth - 1 end
      if depth == 0 and i < #text then return text end
    end
    text = text:sub(2, -2):match("^%s*(.-)%s*$")
  end
  return text
end

local COMPARE = {
  ["="] = function(a, b) return a == b end, ["<>"] = function(a, b) return a ~= b end, ["!="] = function(a, b) return a ~= b end,
  [">"] = function(a, b) return a > b end, [">="] = function(a, b) return a >= b end,
  ["<"] = function(a, b) return a < b end, ["<="] = function(a, b) return a <= b end,
}

-- A literal's value (a number, or a quoted string's text), or nil.
local function constant(text)
  local number = tonumber(text)
  if number then return number end
  local body = text:match("^n?'(.*)'$")
  return body and not body:gsub("''", ""):find("'") and body or nil
end

-- One comparison that holds for every row: two literals that compare true (1=1, 'a'='a'),
-- or PK_ID (an AUTONUMBER from 1, never NULL) against what every PK_ID passes.
local function always_term(term)
  if term:match("^pk_id%s+is%s+not%s+null$") or term:match("^pk_id%s*=%s*pk_id$") then return true end
  local left, op, right = term:match("^(.-)%s*([<>!=]=?>?)%s*(.-)$")
  if not left or not COMPARE[op] or left == "" or right == "" then return false end
  local a, b = constant(left), constant(right)
  if a ~= nil and b ~= nil then
    if type(a) ~= type(b) then return false end
    return COMPARE[op](a, b)
  end
  if left == "pk_id" and type(b) == "number" then
    return (op == ">" and b < 1) or (op == ">=" and b <= 1) or ((op == "<>" or op == "!=") and b < 1)
  end
  if right == "pk_id" and type(a) == "number" then
    return (op == "<" and a < 1) or (op == "<=" and a <= 1) or ((op == "<>" or op == "!=") and a < 1)
  end
  return false
end

local function always(text)
  text = unwrapped(text)
  for _, alternative in ipairs(split_top(text, " or ")) do
    local all = true
    for _, term in ipairs(split_top(unwrapped(alternative:match("^%s*(.-)%s*$")), " and ")) do
      term = unwrapped(term:match("^%s*(.-)%s*$"))
      local nested = #split_top(term, " or ") > 1 or #split_top(term, " and ") > 1
      if not (nested and always(term) or always_term(term)) then all = false break end
    end
    if all then return true end
  end
  return false
end

--- Whether SQL `clause` plainly holds for every row (`1=1`, `PK_ID>0`, `PK_ID IS NOT NULL`,
--- `State='CA' OR 1=1`): update and delete refuse it, as Caspio's v4 guard does, and on v3
--- it would touch every row. Not a proof: clauses it cannot read are let through.
function internal.always_true(clause)
  local text = clause:gsub("%s+", " "):lower():match("^%s*(.-)%s*$")
  if text == "" then return true end
  return always(text)
end

local where_clause = internal.where_clause

caspio.where = setmetatable({
  raw = function(sql)
    if type(sql) ~= "string" then usage("bad argument #1 to 'raw' (string expected)") end
    return setmetatable({ sql = sql }, raw_mt)
  end,
}, { __call = function(_, where) return where_clause(where) end })

--- For scripts that build SQL themselves: a value as a SQL literal, quoted as where tables
--- quote it ('O''Brien', 42, 1 for true, a date's text, NULL for json.null).
caspio.sql = {
  quote = function(value)
    if value == nil or is_plain_table(value) or value == not_null then
      usage("bad argument #1 to 'quote' (a string, number, boolean, date or json.null expected, got %s)", internal.describe(value))
    end
    if value == json.null then return "NULL" end
    return literal(value, "the value", "caspio.sql.quote")
  end,
}
