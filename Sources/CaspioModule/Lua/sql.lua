-- caspio.sql(statement [, opts]): a T-SQL SELECT read through the records pager. Caspio's
-- REST API takes no statement, only its clauses as parameters (select, where, groupBy,
-- orderBy; q.* on v3), so the statement is cut into them here and sent to its one table or
-- view by the dialect, paged, totally ordered and with bounded memory, as caspio.records.
local caspio, internal = ...
local usage, segment = internal.usage, internal.segment
local format, concat = string.format, table.concat

local CLAUSES = { FROM = true, WHERE = true, HAVING = true, ["GROUP BY"] = true, ["ORDER BY"] = true }
local ORDER = { "SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY" }
-- What a request cannot carry: another table beside the one read, or a second statement.
local REFUSED = {
  JOIN = "reads one table or view a request: JOIN is not possible (other tables may appear in WHERE's subqueries)",
  UNION = "reads one table or view a request: combine the rows of two caspio.sql reads in the script",
  INTERSECT = "reads one table or view a request", EXCEPT = "reads one table or view a request",
  INTO = "reads rows: SELECT … INTO is not possible", WITH = "takes no common table expression (WITH)",
  FETCH = "pages by itself: OFFSET/FETCH is not possible (use the limit option)",
  OPTION = "takes no query hints (OPTION)", FOR = "reads rows as JSON already: FOR XML/JSON is not possible",
}
local AGGREGATES = {
  COUNT = true, COUNT_BIG = true, SUM = true, AVG = true, MIN = true, MAX = true,
  STDEV = true, STDEVP = true, VAR = true, VARP = true, STRING_AGG = true,
}

local function fail(message, ...) usage("caspio.sql: " .. message, ...) end
local function trim(text) return (text:match("^%s*(.-)%s*$")) end

-- The statement with what keywords cannot stand in (strings, [names], "names", anything in
-- parentheses) blanked out, the same length, so that positions in it are positions in the
-- statement.
local function masked(text)
  local out, i, depth, n = {}, 1, 0, #text
  while i <= n do
    local c = text:sub(i, i)
    local close = (c == "'" and "'") or (c == "[" and "]") or (c == '"' and '"') or nil
    if close then
      local j = i + 1
      while true do
        j = text:find(close, j, true)
        if j == nil then fail("the statement has an unterminated %s", c == "'" and "string ('…')" or c == "[" and "name ([…])" or 'name ("…")') end
        if text:sub(j + 1, j + 1) ~= close then break end
        j = j + 2 -- a doubled quote is one quote
      end
      out[#out + 1] = string.rep(" ", j - i + 1)
      i = j + 1
    else
      if c == "(" then depth = depth + 1 elseif c == ")" then depth = depth - 1 end
      if depth < 0 then fail("the statement has a ')' without its '('") end
      if c == ";" and depth == 0 then fail("one statement only: ';' is not possible") end
      out[#out + 1] = (depth > 0 or c == ")") and " " or c
      i = i + 1
    end
  end
  if depth ~= 0 then fail("the statement has a '(' without its ')'") end
  return concat(out):upper()
end

-- The statement's clauses, by keyword (SELECT, FROM, WHERE, GROUP BY, HAVING, ORDER BY).
local function clauses(statement)
  local mask = masked(statement)
  if not mask:find("^%s*SELECT%f[^%w_]") then fail("the statement must start with SELECT (got %q)", statement:sub(1, 40)) end
  local found = {}
  for start, word, stop in mask:gmatch("()%f[%w_]([%w_]+)()") do
    local key = word
    if word == "GROUP" or word == "ORDER" then
      local by = mask:match("^%s+BY%f[^%w_]()", stop)
      if by then key, stop = word .. " BY", by end
    end
    local refused = REFUSED[word] or (word == "OFFSET" and mask:find("^%s+%d", stop) and REFUSED.FETCH)
    if refused then fail("Caspio's REST API %s (the statement has %s)", refused, word) end
    if key == "SELECT" and start > 1 and #found > 0 then fail("a second SELECT is possible only in parentheses (a subquery)") end
    if key == "SELECT" and #found == 0 or CLAUSES[key] then found[#found + 1] = { key = key, start = start, stop = stop } end
  end
  local out, rank = {}, 0
  for i, clause in ipairs(found) do
    local position
    for p, name in ipairs(ORDER) do if name == clause.key then position = p end end
    if out[clause.key] ~= nil then fail("the statement has two %s clauses", clause.key) end
    if position < rank then fail("%s comes before %s in a SELECT statement", clause.key, ORDER[rank]) end
    rank = position
    local finish = found[i + 1] and found[i + 1].start - 1 or #statement
    out[clause.key] = trim(statement:sub(clause.stop, finish))
    if out[clause.key] == "" then fail("the %s clause is empty", clause.key) end
  end
  return out
end

-- The one table or view of FROM: a name, or a [bracketed name].
local function source(from)
  if from == nil then fail("the statement needs FROM and the table (or view) to read") end
  local name = from:match("^%[(.+)%]$") or from:match("^[%w_]+$")
  if name == nil then
    fail("FROM names the one table or view to read, without an alias (got %q): Caspio's REST API reads one a request", from)
  end
  return name
end

-- Whether every term of a select list is an aggregate (one row, which has nothing to order).
local function aggregates_only(terms)
  for _, term in ipairs(terms) do
    local call = trim(term):match("^([%a_]+)%s*%(")
    if call == nil or not AGGREGATES[call:upper()] then return false end
  end
  return true
end

local function without_alias(term)
  term = trim(term)
  return trim(term:gsub("%s[Aa][Ss]%s+%S+$", ""))
end

--- Iterates over the rows of a T-SQL SELECT on one table (or, with view = true, view).
local function sql(_, statement, opts)
  if type(statement) ~= "string" then usage("bad argument #1 to 'sql' (a SELECT statement expected, got %s)", internal.describe(statement)) end
  opts = internal.check_options("sql", opts)
  local parts = clauses(statement)
  if parts.HAVING then
    fail("Caspio's REST API takes no HAVING clause (neither v3 nor v4 has a parameter for it): drop it and filter the groups in the script with {having = function(row) return row.N > 5 end}, which reads every group")
  end
  local name = source(parts.FROM)
  local select, limit = parts.SELECT, opts.limit
  local top, rest = select:match("^[Tt][Oo][Pp]%s*%(?%s*(%d+)%s*%)?%s+(.+)$")
  if top then
    local n = math.tointeger(tonumber(top)) or fail("TOP %s is more rows than a count can hold", top)
    select, limit = rest, math.min(n, limit or math.maxinteger)
  end
  local group = parts["GROUP BY"]
  local distinct = select:match("^[Dd][Ii][Ss][Tt][Ii][Nn][Cc][Tt]%s+(.+)$")
  if distinct and group == nil then
    -- DISTINCT rows are the groups of the select list: grouped, they page by it.
    select = distinct
    local keys = {}
    for i, term in ipairs(internal.terms(distinct)) do keys[i] = without_alias(term) end
    if keys[1] == "*" then fail("SELECT DISTINCT * is not possible: name the fields") end
    group = concat(keys, ",")
  end
  local read = {
    select = select ~= "*" and select or nil, where = parts.WHERE and caspio.where.raw(parts.WHERE) or nil,
    groupBy = group, orderBy = parts["ORDER BY"], pageSize = opts.pageSize, prefetch = opts.prefetch,
    nulls = opts.nulls, exact = opts.exact, limit = not opts.having and limit or nil,
  }
  -- One row of aggregates has no PK_ID to order by, and SQL refuses it in the ORDER BY.
  if group == nil and read.orderBy == nil and aggregates_only(internal.terms(select)) then read.order = false end
  local path = (opts.view and "views/" or "tables/") .. segment(name) .. "/records"
  local step, state, control, closing = internal.read_rows(format("caspio.sql(%q)", statement), path, read)
  local having = opts.having
  if having == nil then return step, state, control, closing end
  local kept = 0
  return function()
    while limit == nil or kept < limit do
      local row = step()
      if row == nil then return nil end
      if having(row) then
        kept = kept + 1
        return row
      end
    end
    return nil
  end, nil, nil, closing
end

setmetatable(caspio.sql, { __call = sql })
