-- t:export: a table (or view) to CSV, JSON or JSON Lines, columns in the table's order, the
-- file put in place only once complete.
local caspio, internal = ...
local json, usage, raise = internal.json, internal.usage, internal.raise
local format, concat = string.format, table.concat
local Table = internal.Table

local FORMATS = { csv = true, json = true, jsonl = true }

local function format_of(dest, opts)
  local chosen = opts.format or (type(dest) == "string" and dest:match("%.(jsonl?)$")) or "csv"
  if not FORMATS[chosen] then usage("format must be \"csv\", \"json\" or \"jsonl\" (got %q)", tostring(chosen)) end
  return chosen
end

-- A JSON object with its keys in column order (json.encode orders keys by hash).
local function object_text(row, columns)
  local parts = {}
  for _, name in ipairs(columns) do
    local value = row[name]
    if value == nil then value = json.null end
    parts[#parts + 1] = json.encode(name) .. ":" .. json.encode(value, { sort_keys = true })
  end
  return "{" .. concat(parts, ",") .. "}"
end

-- JSON output: to an open file as it is, to a path under a temporary name, renamed when done.
local function json_sink(dest, kind)
  local file, temporary = dest, nil
  if type(dest) == "string" then
    temporary = internal.native.temporary_beside(dest)
    local problem
    file, problem = io.open(temporary, "wb")
    if not file then raise("config", "cannot write " .. dest .. ": " .. tostring(problem)) end
  end
  local count = 0
  local sink = {}
  local function put(...)
    local ok, problem = file:write(...)
    if not ok then raise("config", "cannot write " .. (type(dest) == "string" and dest or "the file") .. ": " .. tostring(problem)) end
  end
  function sink.write(text)
    if kind == "json" then put(count == 0 and "[\n" or ",\n", text) else put(text, "\n") end
    count = count + 1
  end
  function sink.close()
    if kind == "json" then put(count == 0 and "[]\n" or "\n]\n") end
    if temporary then
      assert(file:close())
      local ok, problem = os.rename(temporary, dest)
      if not ok then raise("config", "cannot write " .. dest .. ": " .. tostring(problem)) end
    else
      local ok, problem = file:flush()
      if not ok then raise("config", "cannot write the file: " .. tostring(problem)) end
    end
  end
  function sink.abandon()
    if temporary then
      file:close()
      os.remove(temporary)
    end
  end
  return sink
end

local function csv_sink(dest, columns, opts)
  local writer = internal.csv_writer(dest, columns, { delimiter = opts.delimiter, crlf = opts.crlf })
  local sink = {}
  function sink.write(row)
    -- LIST fields read as objects (id -> value): a cell holds their JSON, ids in order.
    for name, value in pairs(row) do
      if type(value) == "table" then row[name] = json.encode(value, { sort_keys = true }) end
    end
    writer:write(row)
  end
  sink.close = function() writer:close() end
  sink.abandon = function() writer:abandon() end
  return sink
end

--- Writes the rows of t matching opts.where to dest (a path, or an open file such as
--- io.stdout); returns the number of rows written.
function Table:export(dest, opts)
  if type(dest) ~= "string" and io.type(dest) ~= "file" then
    usage("bad argument #1 to 'export' (a path or an open file expected, got %s)", internal.describe(dest))
  end
  opts = internal.check_options("export", opts)
  local kind = format_of(dest, opts)
  if kind ~= "csv" and (opts.delimiter or opts.crlf) then usage("export's delimiter and crlf are for CSV, not %s", kind) end
  -- The columns of the file are what the select names: an expression's alias (`COUNT(PK_ID) AS N`).
  if opts.select and opts.skip then usage("give export's select or skip, not both") end
  local columns = opts.select and internal.select_names(opts.select) or self:columns()
  local select = opts.select or columns
  if opts.skip then
    local skipped, kept = {}, {}
    for _, name in ipairs(internal.select_names(opts.skip)) do skipped[name] = false end
    for _, name in ipairs(columns) do
      if skipped[name] == nil then kept[#kept + 1] = name else skipped[name] = true end
    end
    for name, found in pairs(skipped) do
      if not found then
        usage("export's skip names '%s', which %s does not have%s", name, self.name, internal.native.nearest(name, table.unpack(columns)))
      end
    end
    columns, select = kept, kept
  end
  local progress = opts.progress
  local total = progress and self:count(opts.where) or nil
  -- Made once the first page is in: an export that fails at once writes nothing, not even
  -- a header (to standard output, a header alone would read as an empty table).
  local sink
  local function open_sink()
    sink = sink or (kind == "csv" and csv_sink(dest, columns, opts) or json_sink(dest, kind))
    return sink
  end
  local count = 0
  local ok, problem = pcall(function()
    for row in self:rows({ where = opts.where, select = select, orderBy = opts.orderBy }) do
      open_sink().write(kind == "csv" and row or object_text(row, columns))
      count = count + 1
      if progress and count % 100 == 0 then progress(count, total) end
    end
    open_sink()
  end)
  if not ok then
    if sink then sink.abandon() end
    error(problem, 0)
  end
  sink.close()
  if progress then progress(count, total) end
  return count
end
