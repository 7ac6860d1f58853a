-- Every options table of the module, described once. The check below, the LuaLS annotations
-- (docs/caspio.lua) and the API reference (docs/lua-api.md) all come from this description
-- (scripts/lua-docs writes the docs from it, and a test fails when they drift).
local caspio, internal = ...
local format, concat = string.format, table.concat

-- Each option: name, kind (what the check accepts), the LuaLS type, and what it does.
-- Kinds: "string", "boolean", "number" (> 0), "table", "function", "any", "list" (a string or a list of
-- strings), "where" (a where clause), "integer" with `min` and `max`, "choice" with `values`.
local specs = {
  {
    name = "request", class = "caspio.RequestOptions", functions = { "request" },
    { "query", "table", "table<string, string|number|boolean>", "query parameters, name → string, number or boolean (`true` → `\"true\"`); sent sorted by name, percent-encoded" },
    { "json", "any", "any", "a Lua value sent as the JSON body (`Content-Type: application/json`); not with `body`" },
    { "body", "string", "string", "raw bytes to send as the body" },
    { "content_type", "string", "string", "the body's `Content-Type` (default `application/json` whenever there is a body)" },
    { "headers", "table", "table<string, string|number|boolean>", "extra request headers, name → string, number or boolean" },
    { "timeout", "number", "number", "seconds for the whole request, all bytes included (default 300)" },
    { "check", "boolean", "boolean", "`false` returns HTTP error answers (status ≥ 400) instead of raising them" },
    { "save_to", "string", "string", "stream a successful (2xx) answer's body to this file instead of memory" },
    { "principal", "string", "string", "the acting user, sent as Caspio's `Principal` header for its HIPAA audit log (overrides `--principal`)" },
  },
  {
    name = "records", class = "caspio.RecordsOptions", functions = { "records", "rows", "all", "users" },
    { "where", "where", "caspio.WhereClause", "filter: see [where clauses](#where-clauses)" },
    { "select", "list", "string|string[]", "fields to return (`\"PK_ID,Name\"` or `{\"PK_ID\", \"Name\"}`)" },
    { "orderBy", "list", "string|string[]", "order (`\"Name\"`, `\"PK_ID DESC\"`, `{\"State\", \"Name\"}`); `PK_ID` is appended as the tiebreaker (see below)" },
    { "groupBy", "list", "string|string[]", "grouping, as in SQL" },
    { "pageSize", "integer", "integer", "rows per request, 5 to 1000 (default 1000)", min = 5, max = 1000 },
    { "limit", "integer", "integer", "stop after this many rows (≥ 0)", min = 0 },
    { "view", "boolean", "boolean", "read `views/NAME` instead of `tables/NAME` (`caspio.records` only: handles know their kind)", only = "records" },
    { "order", "boolean", "boolean", "`false`: send `orderBy` as given (or none) and let Caspio order the pages, which may repeat and skip rows (default `true`)" },
    { "exact", "boolean", "boolean", "`true`: a read whose row count differs from Caspio's count raises instead of warning (see below)" },
    { "prefetch", "integer", "integer", "`records` and `rows` only: pages asked for ahead of the one the loop reads (default 1; 0: none; more is capped at 15, so that at most 16 requests are in flight; see below)", min = 0, only = { "records", "rows" } },
    { "concurrency", "integer", "integer", "`all` only: pages read at once after the first, as `caspio.map`'s (default 4; more is capped at 16)", min = 1, only = { "all" } },
    { "nulls", "choice", "\"json\"|\"nil\"", "how a NULL field reads: `\"json\"` (default) as `caspio.json.null`, which JSON writes back as null; `\"nil\"` leaves the field out of the row, so that `row.F or \"\"` and string concatenation work (see below)", values = { "json", "nil" } },
  },
  {
    name = "sql", class = "caspio.SqlOptions", functions = { "sql" },
    { "view", "boolean", "boolean", "`FROM` names a view: read `views/NAME` (default: a table)" },
    { "having", "function", "fun(row: table): boolean", "keeps the grouped rows for which it returns true: HAVING, applied in the script as the groups arrive, since Caspio's REST API takes no HAVING (every group is read)" },
    { "limit", "integer", "integer", "stop after this many rows (≥ 0); `SELECT TOP n` says the same", min = 0 },
    { "pageSize", "integer", "integer", "rows per request, 5 to 1000 (default 1000)", min = 5, max = 1000 },
    { "prefetch", "integer", "integer", "pages asked for ahead of the one the loop reads (as `caspio.records`')", min = 0 },
    { "exact", "boolean", "boolean", "`true`: a row count that differs from Caspio's count raises instead of warning (as `caspio.records`')" },
    { "nulls", "choice", "\"json\"|\"nil\"", "how a NULL field reads (see `caspio.records`)", values = { "json", "nil" } },
  },
  {
    name = "first", class = "caspio.FirstOptions", functions = { "first" },
    { "where", "where", "caspio.WhereClause", "filter: see [where clauses](#where-clauses)" },
    { "select", "list", "string|string[]", "fields to return" },
    { "orderBy", "list", "string|string[]", "which row comes first (default: the lowest `PK_ID`)" },
    { "order", "boolean", "boolean", "`false`: send `orderBy` as given (see `caspio.records`)" },
    { "nulls", "choice", "\"json\"|\"nil\"", "how a NULL field reads (see `caspio.records`)", values = { "json", "nil" } },
  },
  {
    name = "writes", class = "caspio.AllRows",
    functions = { "update", "delete", "set_attachment_info", "delete_attachments", "set_password", "clear_password" },
    { "all", "boolean", "boolean", "`true` with a `nil` where clause: every row of the table (every user of a directory)" },
  },
  {
    name = "map", class = "caspio.MapOptions", functions = { "map", "parallel" },
    { "concurrency", "integer", "integer", "requests in flight at once, 1 to 16 (default 4; more is capped at 16)", min = 1 },
  },
  {
    name = "upload", class = "caspio.UploadOptions", functions = { "upload" },
    { "folder", "string", "string", "the folder: its external key or its `/path` (default: the root folder)" },
    { "name", "string", "string", "the name in Caspio (default: the local file's name)" },
    { "overwrite", "boolean", "boolean", "replace a file of the same name (otherwise that is an HTTP 409)" },
  },
  {
    name = "files", class = "caspio.FilesListOptions", functions = { "list" },
    { "folder", "string", "string", "the folder: its external key or its `/path` (default: the root folder)" },
    { "pageSize", "integer", "integer", "files per request, 5 to 1000 (default 100)", min = 5, max = 1000 },
    { "sortField", "string", "\"Name\"|\"Size\"|\"ContentType\"|\"DateCreated\"|\"LastModified\"", "the order of the listing" },
    { "sortDescending", "boolean", "boolean", "`true`: largest, latest or last first" },
  },
}

-- Views, attachments, folders and the account's other objects --------------------
for _, spec in ipairs({
  {
    name = "attachments", class = "caspio.AttachmentsOptions", functions = { "attachments" },
    { "where", "where", "caspio.WhereClause", "whose attachments: see [where clauses](#where-clauses) (default: every record's)" },
  },
  {
    name = "folders", class = "caspio.FoldersOptions", functions = { "folders" },
    { "folder", "string", "string", "list this folder's children (its external key or `/path`); default: the whole tree, depth first" },
    { "pageSize", "integer", "integer", "folders per request, 5 to 1000 (default 100)", min = 5, max = 1000 },
  },
  {
    name = "add", class = "caspio.AddUsersOptions", functions = { "add" },
    { "chunk", "integer", "integer", "REST API v4: users per bulk request, 1 to 1000 (default 1000); v3 sends one request a user", min = 1, max = 1000 },
    { "concurrency", "integer", "integer", "REST API v4: bulk requests in flight at once, 1 to 16 (default 4; more is capped at 16)", min = 1 },
  },
  {
    name = "activate", class = "caspio.ActivateOptions", functions = { "activate" },
    { "send_email", "boolean", "boolean", "`true`: Caspio e-mails each user (default `false`)" },
  },
}) do specs[#specs + 1] = spec end

-- Data jobs: caspio.csv, upsert, insert, export, inspect and print_table. A block of its own,
-- appended to the specs above.
for _, spec in ipairs({
  {
    name = "csv_read", class = "caspio.CsvReadOptions", functions = { "csv.rows" },
    { "header", "boolean", "boolean", "`false`: every line is a row, a list of strings (default `true`: the first line names the fields, and rows are tables keyed by them)" },
    { "delimiter", "string", "string", "the one ASCII character between fields (default `\",\"`; `\"\\t\"` for TSV)" },
  },
  {
    name = "csv_write", class = "caspio.CsvWriteOptions", functions = { "csv.writer", "csv.write" },
    { "header", "boolean", "boolean", "`false`: no header line (default `true`)" },
    { "delimiter", "string", "string", "the one ASCII character between fields (default `\",\"`)" },
    { "crlf", "boolean", "boolean", "`true`: end lines with CRLF, as RFC 4180 writes them (default LF)" },
    { "fields", "list", "string|string[]", "`csv.write` only: the columns, in order (default: every key of the rows, sorted)", only = "csv.write" },
  },
  {
    name = "upsert", class = "caspio.UpsertOptions", functions = { "upsert" },
    { "key", "list", "string|string[]", "the field, or fields, whose values identify a row (required)" },
    { "concurrency", "integer", "integer", "writes in flight at once, 1 to 16 (default 4; more is capped at 16)", min = 1 },
    { "chunk", "integer", "integer", "REST API v4: rows per bulk insert request, 1 to 1000 (default 1000)", min = 1, max = 1000 },
    { "progress", "any", "fun(done: integer)", "called with the number of rows done so far (unchanged ones first, then after each write)" },
    { "lines", "table", "integer[]", "where each row came from (`caspio.csv.rows`' second value), for messages: `line 7`, not `row 7`" },
  },
  {
    name = "insert", class = "caspio.InsertOptions", functions = { "insert" },
    { "concurrency", "integer", "integer", "requests in flight at once, 1 to 16 (default 1 on v3, a request a row; 4 on v4, a request a chunk; more is capped at 16)", min = 1 },
    { "chunk", "integer", "integer", "REST API v4: rows per bulk request, 1 to 1000 (default 1000, the most Caspio takes); v3 sends one request a row", min = 1, max = 1000 },
    { "progress", "any", "fun(done: integer)", "called with the number of rows inserted so far" },
    { "omit_generated", "boolean", "boolean", "`true`: leave out the fields Caspio generates (PK_ID, GUID, RANDOM ID, TIMESTAMP), as `upsert` does, so an exported file inserts as it is" },
  },
  {
    name = "export", class = "caspio.ExportOptions", functions = { "export" },
    { "format", "string", "\"csv\"|\"json\"|\"jsonl\"", "`csv` (default), `json` (one array) or `jsonl` (one object a line)" },
    { "where", "where", "caspio.WhereClause", "filter: see [where clauses](#where-clauses)" },
    { "select", "list", "string|string[]", "the columns, in this order (default: every field, in the table's order)" },
    { "skip", "list", "string|string[]", "columns left out (say, a LIST field, which cannot be imported again); not with `select`" },
    { "orderBy", "list", "string|string[]", "the order of the rows (`PK_ID` is appended as the tiebreaker)" },
    { "progress", "any", "fun(done: integer, total: integer?)", "called with the rows written so far, and the total once known" },
    { "delimiter", "string", "string", "CSV: the one ASCII character between fields (default `\",\"`)" },
    { "crlf", "boolean", "boolean", "CSV: `true` ends lines with CRLF (default LF)" },
  },
  {
    name = "mirror", class = "caspio.MirrorOptions", functions = { "mirror" },
    { "target", "string", "string", "where the copy lives: `sqlite:PATH` or `postgres://USER@HOST/DATABASE` (required)" },
    { "tables", "list", "string|string[]", "the tables to mirror (`\"A,B\"` or `{\"A\", \"B\"}`); or `all`" },
    { "all", "boolean", "boolean", "`true`: every table of the account" },
    { "full", "boolean", "boolean", "`true`: copy every table whole again, as on the first run" },
    { "cursor", "list", "string|string[]", "`TABLE.FIELD`: the DATE/TIME field stamped on every change of that table (default: a TIMESTAMP field stamped on update)" },
    { "lookback", "integer", "integer", "seconds before the cursor that are read again, for rows committed late (default 600)", min = 0 },
    { "deletes_every", "integer", "integer", "compare the key sets for deletes (and re-read the design) every Nth run of a table (default 1: every run)", min = 1 },
    { "prune", "boolean", "boolean", "`true`: drop the columns of fields removed in Caspio (default: keep them)" },
    { "dry_run", "boolean", "boolean", "`true`: read and compare, but commit nothing to the target (default: as the run's `--dry-run`)" },
    { "each", "any", "fun(record: table)", "called with each table's record once its changes are committed, before the next table (a run that fails later has reported these)" },
    { "events", "table", "table[]", "webhook messages (Caspio's default body, decoded) to apply instead of reading Caspio: no call; see below" },
  },
  {
    name = "inspect", class = "caspio.InspectOptions", functions = { "inspect" },
    { "depth", "integer", "integer", "nesting shown before `{...}` (default 5)", min = 1 },
    { "items", "integer", "integer", "items shown of a table before `…` (default 50)", min = 1 },
    { "width", "integer", "integer", "the line width to fit (default 80)", min = 20 },
  },
  {
    name = "print_table", class = "caspio.PrintTableOptions", functions = { "print_table" },
    { "columns", "list", "string|string[]", "the columns, in order (default: every key of the rows, sorted; `t:columns()` gives a table's order)" },
    { "width", "integer", "integer", "the width to fit (default: the terminal's, else 100)", min = 20 },
    { "max_rows", "integer", "integer", "rows shown before `… N more` (default 50)", min = 1 },
  },
}) do specs[#specs + 1] = spec end

internal.option_specs = specs

local by_function, every_option = {}, {}
for _, spec in ipairs(specs) do
  for _, name in ipairs(spec.functions) do
    local options, known = {}, {}
    for _, option in ipairs(spec) do
      every_option[option[1]] = true
      local only = type(option.only) == "string" and { option.only } or option.only
      local applies = only == nil
      for _, fname in ipairs(only or {}) do applies = applies or fname == name end
      if applies then
        options[option[1]] = option
        known[#known + 1] = option[1]
      end
    end
    by_function[name] = { options = options, known = known }
  end
end

--- What the script passed, for messages: `the string "8"`, `the number 1.5`, `a table`.
function internal.describe(value)
  local kind = type(value)
  if kind == "string" then return "the string " .. format("%q", value) end
  if kind == "number" or kind == "boolean" then return "the " .. kind .. " " .. tostring(value) end
  if kind == "nil" then return "nil" end
  return "a " .. kind
end

-- A value as Lua source, for "did you mean {where = {State = "TX"}}?"; a table one level
-- deep, fields sorted.
local function literal(value, nested)
  if type(value) == "string" then return format("%q", value) end
  if type(value) == "number" or type(value) == "boolean" then return tostring(value) end
  if type(value) ~= "table" or nested then return "{…}" end
  local keys = {}
  for key in pairs(value) do
    if type(key) ~= "string" then return "{…}" end
    keys[#keys + 1] = key
  end
  table.sort(keys)
  for i, key in ipairs(keys) do keys[i] = key .. " = " .. literal(value[key], true) end
  return "{" .. concat(keys, ", ") .. "}"
end
internal.literal = literal

local function is_list_of_strings(value)
  if type(value) ~= "table" then return false end
  for k, v in pairs(value) do
    if math.type(k) ~= "integer" or type(v) ~= "string" then return false end
  end
  return true
end

local accepted = {
  string = { test = function(v) return type(v) == "string" end, says = "a string" },
  boolean = { test = function(v) return type(v) == "boolean" end, says = "true or false" },
  number = { test = function(v) return type(v) == "number" and v > 0 and v == v end, says = "a positive number" },
  table = { test = function(v) return type(v) == "table" end, says = "a table" },
  ["function"] = { test = function(v) return type(v) == "function" end, says = "a function" },
  any = { test = function() return true end },
  list = { test = function(v) return type(v) == "string" or is_list_of_strings(v) end, says = "a string or a list of strings" },
  -- What is inside a where clause is checked where it is built (where.lua).
  where = { test = function(v) return type(v) == "string" or type(v) == "table" end, says = "a string or a table" },
}

local function integer_says(option)
  if option.max then return format("an integer from %d to %d", option.min, option.max) end
  if option.min == 1 then return "a positive integer" end
  return format("an integer of %d or more", option.min)
end

local function check_value(name, option, value)
  local kind = option[2]
  if kind == "choice" then
    for _, allowed in ipairs(option.values) do
      if value == allowed then return end
    end
    internal.usage("%s must be \"%s\" (got %s)", name, concat(option.values, "\" or \""), internal.describe(value))
  end
  if kind == "integer" then
    if math.type(value) ~= "integer" or value < option.min or (option.max and value > option.max) then
      internal.usage("%s must be %s (got %s)", name, integer_says(option), internal.describe(value))
    end
    return
  end
  local rule = accepted[kind]
  if not rule.test(value) then internal.usage("%s must be %s (got %s)", name, rule.says, internal.describe(value)) end
end

--- Checks the options table `opts` of function `fname` (nil is no options): a key that is
--- not an option is an error naming it and the nearest option, or, when it is no option's
--- misspelling, the where clause it probably meant; a value of the wrong type names what
--- it got. Returns opts, or {} for nil.
function internal.check_options(fname, opts)
  if opts == nil then return {} end
  local spec = by_function[fname]
  if type(opts) ~= "table" then
    internal.usage("the options of '%s' must be a table (got %s)", fname, internal.describe(opts))
  end
  local unknown, stray = {}, {}
  for key, value in pairs(opts) do
    local option = type(key) == "string" and spec.options[key]
    if option then
      check_value(key, option, value)
    elseif type(key) ~= "string" then
      internal.usage("the options of '%s' are name = value pairs (got a %s key)", fname, type(key))
    else
      local near = internal.native.nearest(key, table.unpack(spec.known))
      if near ~= "" then
        internal.usage("unknown option '%s' to '%s'%s", key, fname, near)
      end
      if every_option[key] then
        internal.usage("'%s' takes no option '%s' (its options: %s)", fname, key, concat(spec.known, ", "))
      end
      unknown[#unknown + 1] = key
      stray[key] = value
    end
  end
  if #unknown == 0 then return opts end
  table.sort(unknown)
  local options = spec.options
  if options.where then
    -- Keys that are no option's misspelling: most likely fields of a where clause.
    local parts = {}
    for i, key in ipairs(unknown) do parts[i] = key .. " = " .. literal(stray[key]) end
    internal.usage("unknown option%s %s to '%s' (did you mean {where = {%s}}?)", #unknown > 1 and "s" or "",
      "'" .. concat(unknown, "', '") .. "'", fname, concat(parts, ", "))
  end
  internal.usage("unknown option '%s' to '%s' (its options: %s)", unknown[1], fname, concat(spec.known, ", "))
end
