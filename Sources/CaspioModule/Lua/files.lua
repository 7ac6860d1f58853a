-- Files: multipart uploads, streamed downloads, the files listing (attachments.lua uses
-- the same uploads and downloads).
local caspio, internal = ...
local usage, raise, segment = internal.usage, internal.raise, internal.segment
local format, concat = string.format, table.concat

local MIME = {
  pdf = "application/pdf", png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif",
  txt = "text/plain", csv = "text/csv", json = "application/json", zip = "application/zip",
  xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

local function basename(path)
  return path:match("([^/]+)$") or path
end

local function read_file(path)
  local file, problem = io.open(path, "rb")
  if not file then raise("config", "cannot read " .. path .. ": " .. tostring(problem)) end
  local data = file:read("a")
  file:close()
  return data
end

-- One file as multipart/form-data, as Caspio's upload endpoints expect.
local function multipart(field, filename, data)
  local boundary = format("caspio-%08x%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), os.time())
  local mime = MIME[(filename:match("%.([%w]+)$") or ""):lower()] or "application/octet-stream"
  local safe_name = filename:gsub('[%c"\\]', "_")
  local body = concat({
    "--", boundary, "\r\n",
    'Content-Disposition: form-data; name="', field, '"; filename="', safe_name, '"\r\n',
    "Content-Type: ", mime, "\r\n\r\n",
    data, "\r\n--", boundary, "--\r\n",
  })
  return body, "multipart/form-data; boundary=" .. boundary
end

internal.basename, internal.read_file, internal.multipart = basename, read_file, multipart

-- A file's path and query, by external key (v4: fileId) or by /path, in the base URL's version.
local function file_target(key_or_path)
  if type(key_or_path) ~= "string" or key_or_path == "" then usage("a file key or a /path is needed") end
  local files = internal.dialect().FILES
  if key_or_path:sub(1, 1) == "/" then return files .. "/path", { filePath = key_or_path } end
  return files .. "/" .. segment(key_or_path), nil
end

caspio.files = {}

--- Uploads a local file (to a folder given by its external key or /path); overwrite = true replaces a
--- file of the same name. Returns {Name, ExternalKey}.
function caspio.files.upload(local_path, opts)
  if type(local_path) ~= "string" then usage("bad argument #1 to 'upload' (local file path expected)") end
  opts = internal.check_options("upload", opts)
  local dialect = internal.dialect()
  local name = opts.name or basename(local_path)
  local method, path, field = dialect.upload(opts.overwrite)
  local body, content_type = multipart(field, name, read_file(local_path))
  local response = caspio.request(method, path, {
    body = body, content_type = content_type, query = opts.folder and { [dialect.FILE_FOLDER] = internal.folder_key(opts.folder) } or nil,
  })
  local result = dialect.single(response)
  if type(result) == "table" and result[1] ~= nil then return dialect.named(result[1]) end
  return result ~= true and result or response
end

--- Downloads a file (by external key, or by "/folder/name" path) to local_path, streaming it
--- to disk; the file appears only once complete. Returns local_path.
function caspio.files.download(key_or_path, local_path)
  if type(local_path) ~= "string" then usage("bad argument #2 to 'download' (local file path expected)") end
  local path, query = file_target(key_or_path)
  caspio.request("GET", path, { query = query, save_to = local_path })
  return local_path
end

--- Iterates over the files of a folder (opts.folder, an external key or /path), page by page.
function caspio.files.list(opts)
  opts = internal.check_options("list", opts)
  local dialect = internal.dialect()
  local query = { [dialect.FILE_FOLDER] = opts.folder and internal.folder_key(opts.folder) }
  dialect.file_sort(query, opts.sortField, opts.sortDescending)
  -- An answer without a Result list is an empty folder on v3 (PagerTests).
  return dialect.pages(dialect.FILES, query, opts.pageSize or 100, true)
end

function caspio.files.info(key_or_path)
  local path, query = file_target(key_or_path)
  return internal.dialect().single(caspio.request("GET", path .. "/fileInfo", { query = query }))
end

function caspio.files.delete(key_or_path)
  local path, query = file_target(key_or_path)
  caspio.request("DELETE", path, { query = query })
  return true
end
