-- Showing values: caspio.inspect and caspio.print_table (the REPL's printer and record
-- table, for scripts), columns in their table's order where it is known.
local caspio, internal = ...
local usage = internal.usage
local Table = internal.Table

-- Lists read by t:all remember their table, so that print_table (and the REPL) show the
-- columns in the table's order; weak keys, so that remembering a list never keeps it alive.
local sources = setmetatable({}, { __mode = "k" })
local all = Table.all
function Table:all(opts)
  local list = all(self, opts)
  sources[list] = self
  return list
end

--- The columns to show for a list of records: its table's, those the rows hold; or nil.
function internal.columns_of(rows)
  local t = type(rows) == "table" and sources[rows]
  if not t then return nil end
  local ok, names = pcall(t.columns, t)
  if not ok then return nil end
  local held, out = {}, {}
  for i = 1, math.min(#rows, 50) do
    for key in pairs(rows[i]) do held[key] = true end
  end
  for _, name in ipairs(names) do
    if held[name] then out[#out + 1] = name end
  end
  return out
end

--- The REPL's rendering of a value, as a string (sorted keys, depth and item limits).
function caspio.inspect(value, opts)
  opts = internal.check_options("inspect", opts)
  return internal.native.inspect(value, opts.depth, opts.items, opts.width)
end

--- Prints a list of records as an aligned table with a row count.
function caspio.print_table(rows, opts)
  opts = internal.check_options("print_table", opts)
  local columns = opts.columns and internal.list_of(opts.columns) or internal.columns_of(rows)
  local text = internal.native.record_table(rows, columns, opts.width, opts.max_rows)
  if text == nil then usage("bad argument #1 to 'print_table' (a non-empty list of records expected)") end
  io.write(text, "\n")
end
