-- caspio.csv: RFC 4180 rows read and written by the native half (yaslab/CSV.swift), streamed.
local caspio, internal = ...
local native, usage, raise = internal.native, internal.usage, internal.raise
local format = string.format

--- Raises the error for bad input data: kind "input", with where it is (line, field, value).
function internal.bad_input(message, fields)
  raise("input", message, fields)
end

local function where_read(source)
  if io.type(source) == "file" then return "the file" end
  if type(source) == "string" and not source:find("[\r\n]") then return source end
  return "the CSV text"
end

caspio.csv = {}

--- Iterates over the rows of a CSV source (a path, CSV text with a line break, or an open
--- file), one record in memory at a time: `for row, line in caspio.csv.rows(src) do`.
function caspio.csv.rows(source, opts)
  opts = internal.check_options("csv.rows", opts)
  local name = where_read(source)
  local reader, message, line = native.csv_reader(source, opts.delimiter, opts.header ~= false)
  if not reader then
    if line == 0 then raise("config", message) end
    internal.bad_input(format("%s:%d: %s", name, line, message), { line = line })
  end
  local function step()
    local row, detail, at = reader:read()
    if row == false then internal.bad_input(format("%s:%d: %s", name, at, detail), { line = at }) end
    return row, detail
  end
  -- A loop that breaks closes the file at once rather than when collected.
  local closing = setmetatable({}, { __close = function() reader:close() end })
  return step, nil, nil, closing
end

local function fields_of(rows)
  local seen, fields = {}, {}
  for _, row in ipairs(rows) do
    for key in pairs(row) do
      if type(key) == "string" and not seen[key] then
        seen[key] = true
        fields[#fields + 1] = key
      end
    end
  end
  table.sort(fields)
  return fields
end

local function list_of(value)
  if type(value) == "string" then
    local out = {}
    for name in value:gmatch("[^,]+") do out[#out + 1] = name:match("^%s*(.-)%s*$") end
    return out
  end
  return value
end
internal.list_of = list_of

local Writer = { __name = "caspio.csv.writer" }
Writer.__index = Writer

--- A CSV writer to `dest` (a path, written under a temporary name and renamed by close, or an
--- open file such as io.stdout), with the columns `fields` in that order.
function caspio.csv.writer(dest, fields, opts)
  opts = internal.check_options("csv.writer", opts)
  return internal.csv_writer(dest, fields, opts)
end

function internal.csv_writer(dest, fields, opts)
  local native_writer, message = native.csv_writer(dest, list_of(fields), opts.delimiter, opts.crlf == true, opts.header ~= false)
  if not native_writer then raise("config", message) end
  return setmetatable({ native = native_writer, fields = list_of(fields), count = 0 }, Writer)
end

function Writer:write(row)
  if getmetatable(self) ~= Writer then usage("bad self to 'write' (use w:write(row))") end
  local ok, message = self.native:write(row)
  if ok == false then raise("config", message) end
  self.count = self.count + 1
  return self
end

--- Finishes the file (and puts it in place); returns the number of rows written.
function Writer:close()
  local ok, message = self.native:close()
  if ok == false then raise("config", message) end
  return self.count
end

--- Stops without putting the file in place (after a failure).
function Writer:abandon() self.native:abandon() end

--- Writes a list of rows to `dest` at once; returns the number of rows.
function caspio.csv.write(dest, rows, opts)
  opts = internal.check_options("csv.write", opts)
  if type(rows) ~= "table" then usage("bad argument #2 to 'write' (list of rows expected)") end
  local fields = opts.fields and list_of(opts.fields) or fields_of(rows)
  local writer = internal.csv_writer(dest, fields, opts)
  for _, row in ipairs(rows) do
    local ok, problem = pcall(writer.write, writer, row)
    if not ok then
      writer:abandon()
      error(problem, 0)
    end
  end
  return writer:close()
end
