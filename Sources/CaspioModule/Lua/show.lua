-- Showing values: caspio.inspect and caspio.print_table (the REPL's printer and record
-- table, for scripts), columns in their table's order where it is known.
local caspio, internal = ...
local usage = internal.usage
local Table = internal.Table

-- Lists read by t:all remember their table, so that print_table (and the REPL) show the
-- columns in the table's order; weak keys, so that remembering a list never keeps it alive.
local sources = setmetatable({}, { __mode = "k" })
-- Records read by t:rows, t:first and t:all remember their table too, so that
-- caspio.inspect (and the REPL) show their fields in the table's order.
local row_sources = setmetatable({}, { __mode = "k" })
local all, rows, first = Table.all, Table.rows, Table.first
function Table:all(opts)
  local list = all(self, opts)
  sources[list] = { table = self, select = opts and opts.select }
  for i = 1, #list do row_sources[list[i]] = self end
  return list
end

function Table:rows(opts)
  local step, state, init, closing = rows(self, opts)
  return function(...)
    local row = step(...)
    if row ~= nil then row_sources[row] = self end
    return row
  end, state, init, closing
end

function Table:first(opts)
  local row = first(self, opts)
  if row ~= nil then row_sources[row] = self end
  return row
end

--- For caspio.inspect: each record of `value` (itself, or the items of a list) whose table
--- is known, mapped to that table's field names; nil when there is none.
function internal.orders_for(value)
  if type(value) ~= "table" then return nil end
  local orders, names_of = nil, {}
  local function note(record)
    local t = type(record) == "table" and row_sources[record]
    if not t then return end
    if names_of[t] == nil then
      local ok, names = pcall(t.columns, t)
      names_of[t] = ok and names or false
    end
    if names_of[t] then
      orders = orders or {}
      orders[record] = names_of[t]
    end
  end
  note(value)
  for i = 1, math.min(rawlen(value), 200) do note(rawget(value, i)) end
  return orders
end

--- The columns to show for a list of records read by t:all: of those the rows hold, the
--- table's fields in its order, then the rest in the order of the read's select (computed
--- columns), then keys the script added, sorted; nil for other lists.
function internal.columns_of(rows)
  local source = type(rows) == "table" and sources[rows]
  if not source then return nil end
  local t = source.table
  local ok, names = pcall(t.columns, t)
  if not ok then return nil end
  local held, out, shown = {}, {}, {}
  for i = 1, math.min(#rows, 50) do
    if type(rows[i]) == "table" then
      for key in pairs(rows[i]) do held[key] = true end
    end
  end
  local function show(name)
    if held[name] and not shown[name] then
      out[#out + 1], shown[name] = name, true
    end
  end
  for _, name in ipairs(names) do show(name) end
  if source.select then
    for _, name in ipairs(internal.select_names(source.select)) do show(name) end
  end
  local added = {}
  for key in pairs(held) do
    if not shown[key] and type(key) == "string" then added[#added + 1] = key end
  end
  table.sort(added)
  for _, name in ipairs(added) do show(name) end
  return out
end

--- The REPL's rendering of a value, as a string (depth and item limits; keys sorted, but
--- a record's fields in its table's order when it was read by t:rows, t:first or t:all).
function caspio.inspect(value, opts)
  opts = internal.check_options("inspect", opts)
  return internal.native.inspect(value, opts.depth, opts.items, opts.width, internal.orders_for(value))
end

--- Prints a list of records as an aligned table with a row count.
function caspio.print_table(rows, opts)
  opts = internal.check_options("print_table", opts)
  local columns = opts.columns and internal.list_of(opts.columns) or internal.columns_of(rows)
  local text = internal.native.record_table(rows, columns, opts.width, opts.max_rows)
  if text == nil then usage("bad argument #1 to 'print_table' (a non-empty list of records expected)") end
  io.write(text, "\n")
end
