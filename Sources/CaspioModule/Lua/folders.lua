-- Folders of the files area: the tree, a folder's children, and /paths to external keys
-- (every `folder =` option takes either).
local caspio, internal = ...
local usage, segment = internal.usage, internal.segment
local format = string.format

-- The children of a folder (an external key, "" for the root), page by page.
local function children(key, size)
  local dialect = internal.dialect()
  return dialect.pages(dialect.FOLDERS, { [dialect.FOLDER_PARENT] = key ~= "" and key or nil }, size)
end

-- "/Reports/2024" -> external key, looked up once a run, one level at a time.
local resolved = { ["/"] = "" }

local function key_of_path(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do parts[#parts + 1] = part end
  local clean = "/" .. table.concat(parts, "/")
  if resolved[clean] then return resolved[clean] end
  local parent, name = clean:match("^(.*)/([^/]+)$")
  local parent_key = key_of_path(parent == "" and "/" or parent)
  local names = {}
  for folder in children(parent_key, 1000) do
    if type(folder.Name) == "string" and folder.Name:lower() == name:lower() then
      resolved[clean] = folder.ExternalKey
      return folder.ExternalKey
    end
    names[#names + 1] = folder.Name
  end
  internal.raise("http", format("there is no folder %s%s", clean,
    #names > 0 and format(" (%s holds: %s)", parent == "" and "/" or parent, table.concat(names, ", ")) or ""),
    { status = 404, code = "ObjectNotFound", method = "GET", url = internal.dialect().FOLDERS })
end

--- A folder option's external key: a "/path" is looked up, anything else is the key.
function internal.folder_key(folder)
  if type(folder) ~= "string" or folder == "" then usage("a folder is an external key or a /path (got %s)", internal.describe(folder)) end
  if folder:sub(1, 1) == "/" then return key_of_path(folder) end
  return folder
end

--- Iterates over folders {Name, ExternalKey, DateCreated, Path}: opts.folder's children, or
--- without it the whole tree, depth first (a folder before its children).
function caspio.files.folders(opts)
  opts = internal.check_options("folders", opts)
  local size = opts.pageSize or 100
  if opts.folder then
    local base = opts.folder:sub(1, 1) == "/" and opts.folder:gsub("/+$", "") or nil
    local key = internal.folder_key(opts.folder)
    local step, state, init, closing = children(key, size)
    return function(...)
      local folder = step(...)
      if folder and base then folder.Path = base .. "/" .. tostring(folder.Name) end
      return folder
    end, state, init, closing
  end
  -- Depth first: a stack of listings, each the children of the folder above it.
  local stack = {}
  local function push(key, path)
    local iterate, _, _, closing = children(key, size)
    stack[#stack + 1] = { iterate = iterate, closing = closing, path = path }
  end
  push("", "")
  local function step()
    while #stack > 0 do
      local top = stack[#stack]
      local folder = top.iterate()
      if folder then
        folder.Path = top.path .. "/" .. tostring(folder.Name)
        resolved[folder.Path] = folder.ExternalKey
        push(folder.ExternalKey, folder.Path)
        return folder
      end
      stack[#stack] = nil
    end
    return nil
  end
  -- A loop that breaks closes every listing still open (their pages asked for ahead).
  local closing = setmetatable({}, { __close = function()
    for i = #stack, 1, -1 do getmetatable(stack[i].closing).__close(stack[i].closing) end
  end })
  return step, nil, nil, closing
end

--- One folder {Name, ExternalKey, DateCreated}, by external key or /path.
function caspio.files.folder(key_or_path)
  local key = internal.folder_key(key_or_path)
  if key == "" then usage("caspio.files.folder: the root folder has no record; list it with caspio.files.folders()") end
  local dialect = internal.dialect()
  return dialect.single(caspio.request("GET", dialect.FOLDERS .. "/" .. segment(key)))
end
