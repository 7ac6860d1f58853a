-- Paged listings: the one pager, and caspio.records on it, totally ordered and counted.
local caspio, internal = ...
local native, usage, raise = internal.native, internal.usage, internal.raise
local segment, where_clause = internal.segment, internal.where_clause
local concat, format = table.concat, string.format

--- The page loop behind every paged listing, as an iterator for a generic for, reading
--- ahead. spec.request(n) starts asking for page n (from 1) and returns the pending request
--- (internal.send); spec.items(response, n) returns the page's list. A page shorter than
--- spec.size is the last: no request is made for the empty page after it. spec.limit
--- (optional) ends the listing after that many items, without asking for another page;
--- spec.count_rows adds the items to rows_read. spec.finish(seen), if given, runs once when
--- the listing ends (not when a loop breaks). spec.pages(), if given, says how many pages
--- there are once known (records: from page 1's TotalCount); with spec.final, the last of
--- those ends the listing, without asking for the page after a full last one.
---
--- spec.prefetch pages (default 1) are asked for ahead of the one the loop reads, but never
--- past the pages known to exist: while pages are not counted, a page is asked for only
--- once the one before it came full, so that no request goes past the end of the listing.
--- Pages in flight are the only ones held besides the current one. The
--- fourth value closes the listing: a loop that breaks or fails cancels the pages asked for
--- ahead (a generic for closes it either way), and costs no more than those.
function internal.pager(spec)
  local size, limit, finish = spec.size, spec.limit, spec.finish
  local ahead = math.min(spec.prefetch or 1, internal.MAX_CONCURRENCY - 1)
  -- Pages past the limit's rows are never needed.
  local needed = limit and math.max(1, (limit + size - 1) // size)
  local pending = {} -- page number -> pending request, asked for and not yet read
  local asked, full = 0, 0 -- the last page asked for; the last page read that came full
  local number, items, position, seen, last, ended = 0, nil, 0, 0, false, false

  local function abandon()
    local tickets = {}
    for n, request in pairs(pending) do
      tickets[#tickets + 1] = request.ticket
      pending[n] = nil
    end
    if #tickets > 0 then native.cancel(table.unpack(tickets)) end
  end

  local function stop()
    abandon()
    if not ended then
      ended = true
      if finish then finish(seen) end
    end
    return nil
  end

  -- Asks for the pages due: up to `ahead` after the current one, within the pages known to
  -- exist, or else no further than the page after the last full one.
  local function read_ahead()
    local known = spec.pages and spec.pages()
    local bound = math.min(number + ahead, known or full + 1, needed or math.maxinteger)
    for n = asked + 1, bound do
      pending[n] = spec.request(n)
      asked = n
    end
  end

  local function next_page()
    number = number + 1
    read_ahead()
    local request = pending[number]
    if request then
      pending[number] = nil
    else
      request = spec.request(number)
      asked = math.max(asked, number)
    end
    items, position = spec.items(internal.receive(request), number), 0
    if spec.count_rows then native.count_rows(#items, 0) end
    local known = spec.final and spec.pages and spec.pages()
    if #items < size or (known and number >= known) then
      last = true
      abandon()
    else
      full = number
      read_ahead()
    end
  end

  local function step()
    if ended or (limit and seen >= limit) then return stop() end
    if items == nil or position >= #items then
      if last then return stop() end
      next_page()
      if #items == 0 then return stop() end
    end
    position = position + 1
    seen = seen + 1
    return items[position]
  end

  local closing = setmetatable({}, { __close = function() abandon() end })
  return step, nil, nil, closing
end

--- A listing paged with pageNumber and pageSize (files, folders): GET path with query
--- (pageSize set here), each page's Result list (or items(response), when given).
function internal.numbered_pages(path, query, size, items)
  query.pageSize = size
  return internal.pager({
    size = size,
    request = function(number)
      query.pageNumber = number
      return internal.send("GET", path, { query = query })
    end,
    items = items or function(response) return internal.result_list(response, path) end,
  })
end

--- Takes the NULL fields (json.null) out of each row of a page, in place: `nulls = "nil"`.
function internal.without_nulls(rows)
  local null = internal.json.null
  for _, row in ipairs(rows) do
    for name, value in pairs(row) do
      if value == null then row[name] = nil end
    end
  end
end

--- A response's json.Result list; anything else is an HTTP error naming the request.
function internal.result_list(response, path)
  local result = type(response.json) == "table" and response.json.Result
  if type(result) ~= "table" then
    raise("http", "the answer has no Result list", { status = response.status, request_id = response.request_id, method = "GET", url = path })
  end
  return result
end

-- Records -----------------------------------------------------------------------------------

local function list_text(value)
  if type(value) == "table" then return concat(value, ",") end
  return value
end

-- An order's terms: commas inside parentheses (COALESCE(A, B)) do not end a term.
local function terms(order)
  local out, depth, start = {}, 0, 1
  for i = 1, #order do
    local c = order:sub(i, i)
    if c == "(" then
      depth = depth + 1
    elseif c == ")" then
      depth = depth - 1
    elseif c == "," and depth == 0 then
      out[#out + 1] = order:sub(start, i - 1)
      start = i + 1
    end
  end
  out[#out + 1] = order:sub(start)
  return out
end
internal.terms = terms

--- The names of the columns a select list gives, in its order: a field's name, or the alias
--- of an expression (`COUNT(PK_ID) AS N` gives `N`, `[Order Total]` gives `Order Total`).
function internal.select_names(select)
  local names = {}
  for _, term in ipairs(terms(list_text(select))) do
    term = term:match("^%s*(.-)%s*$")
    local alias = term:match("%s[Aa][Ss]%s+(%S+)$")
    local name = (alias or term):gsub("^%[(.*)%]$", "%1")
    if name ~= "" then names[#names + 1] = name end
  end
  return names
end

-- What a term orders by, to compare: " [PK_ID] desc" is "pk_id".
local function column(term)
  local name = term:match("^%s*(.-)%s*$")
  name = name:gsub("%s+[Aa][Ss][Cc]$", ""):gsub("%s+[Dd][Ee][Ss][Cc]$", "")
  return (name:gsub("^%[(.*)%]$", "%1"):lower())
end

--- q.orderBy for pages that partition the rows: Caspio orders unordered rows anew on every
--- request, and ties in any order, so pages would repeat some rows and skip others. The
--- caller's order is followed by the key that makes it total, unless it holds the key
--- already (anywhere: what follows a unique key changes nothing, and SQL refuses a column
--- named twice). The key is PK_ID (a view's PK_ID string is unique too), or the groupBy
--- fields for grouped rows, which have no PK_ID. order = false: the caller's order as is.
--- `key` is the unique column of rows that have no PK_ID (a directory's users: UserGUID).
local function total_order(opts, key)
  local order = opts.orderBy and list_text(opts.orderBy)
  if order == "" then order = nil end
  if opts.order == false then return order end
  local present = {}
  for _, term in ipairs(order and terms(order) or {}) do present[column(term)] = true end
  local missing = {}
  for _, key in ipairs(opts.groupBy and terms(list_text(opts.groupBy)) or { key or "PK_ID" }) do
    if not present[column(key)] then missing[#missing + 1] = key:match("^%s*(.-)%s*$") end
  end
  if #missing == 0 then return order end
  local keys = concat(missing, ",")
  return order and order .. "," .. keys or keys
end

local function records_query(opts, key)
  local where = where_clause(opts.where)
  return internal.dialect().records_query({
    where = where ~= "" and where or nil, select = opts.select and list_text(opts.select) or nil,
    orderBy = total_order(opts, key), groupBy = opts.groupBy and list_text(opts.groupBy) or nil,
  })
end

-- The rows a finished read saw against the TotalCount of its first page (or the limit, if
-- smaller): rows added or removed meanwhile shift the pages, so that some rows were seen
-- twice or not at all.
local function check_count(name, seen, expected, total, first, path, exact)
  if seen == expected then return end
  local message = format("%s read %d rows, but Caspio counted %d when the read began%s: rows were added or removed during the read, so some may be missing or repeated",
    name, seen, total, expected < total and format(" (and the limit is %d)", expected) or "")
  if exact then
    raise("http", message, { status = first.status, request_id = first.request_id, method = "GET", url = path })
  end
  native.log("warning", message .. " (exact = true makes this an error)")
end

--- Iterates over every row of a table (or view), one page in memory at a time.
function caspio.records(name, opts)
  if type(name) ~= "string" or name == "" then usage("bad argument #1 to 'records' (table name expected)") end
  opts = internal.check_options("records", opts)
  local path = (opts.view and "views/" or "tables/") .. segment(name) .. "/records"
  return internal.read_rows(format("caspio.records(%q)", name), path, opts)
end

--- The paged, totally ordered and counted read of caspio.records at `path`, for any listing
--- of rows that takes the records query (q.* on v3) (`key`: its unique column when it has no PK_ID). `label`
--- names the read in the count warning; opts are checked already. `on_total(total)`, if
--- given, is told the first page's count and returns false to read no page after it (the
--- loop then ends itself after that page's rows); such a read ends at the pages that count
--- makes (rows added after it are new rows, which no caller of it looks for).
function internal.read_rows(label, path, opts, key, on_total)
  local size = opts.pageSize or 1000
  local limit = opts.limit
  -- A small limit needs no large page: fetch only what it asks for (Caspio's minimum is 5).
  if limit ~= nil and opts.pageSize == nil then size = math.max(5, math.min(size, limit)) end
  local exact = opts.exact
  local dialect = internal.dialect()
  local query = records_query(opts, key)
  -- A read of one page cannot see rows move between pages, so only longer ones are counted;
  -- and not grouped reads, whose TotalCount Caspio does not define.
  local counted = opts.groupBy == nil and (limit == nil or limit > size)
  local total, first, only_first
  return internal.pager({
    size = size, limit = limit, count_rows = true, prefetch = opts.prefetch, final = on_total ~= nil,
    request = function(number)
      dialect.page(query, number, size, counted and number == 1)
      return internal.send("GET", path, { query = query })
    end,
    pages = function()
      if only_first then return 1 end
      return total and (total + size - 1) // size
    end,
    items = function(response, number)
      if counted and number == 1 then
        total, first = dialect.total(response), response
        only_first = total ~= nil and on_total ~= nil and on_total(total) == false
      end
      local rows = dialect.rows(response, path)
      if opts.nulls == "nil" then internal.without_nulls(rows) end
      return rows
    end,
    finish = function(seen)
      if total then check_count(label, seen, limit and math.min(total, limit) or total, total, first, path, exact) end
    end,
  })
end
