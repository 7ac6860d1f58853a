-- Attachments: the files in a table's (or view's) FILE fields, one record's or many.
local caspio, internal = ...
local usage, where_clause = internal.usage, internal.where_clause
local Table, name_arg = internal.Table, internal.name_arg
local format = string.format

local Attachment = { __name = "caspio.attachment" }
Attachment.__index = Attachment
Attachment.__tostring = function(a) return format("%s:attachment(%q, %s)", tostring(a.owner), a.field, format("%q", a.pk)) end

--- The attachment in `field` of the record whose PK_ID is pk (a view's PK_ID is a string).
function Table:attachment(field, pk)
  name_arg(field, 1, "attachment", "attachment field name")
  if math.type(pk) ~= "integer" and (type(pk) ~= "string" or pk == "") then
    usage("bad argument #2 to 'attachment' (the record's PK_ID expected, got %s)", internal.describe(pk))
  end
  return setmetatable({ owner = self, field = field, pk = pk }, Attachment)
end

function Attachment:path()
  return internal.dialect().attachment(self.owner:path(), self.field, self.pk)
end

--- Streams the file to local_path, which appears only once complete. Returns local_path.
function Attachment:download(local_path)
  name_arg(local_path, 1, "download", "local file path")
  caspio.request("GET", self:path(), { save_to = local_path })
  return local_path
end

--- Stores a local file as the record's attachment (replacing one it has).
function Attachment:upload(local_path)
  name_arg(local_path, 1, "upload", "local file path")
  local body, content_type = internal.multipart("File", internal.basename(local_path), internal.read_file(local_path))
  caspio.request("PUT", self:path(), { body = body, content_type = content_type })
  return true
end

--- {PK_ID, FileName, FileType, Size, DateCreated, DateUpdated}, or nil when the field is empty.
function Attachment:info()
  local dialect = internal.dialect()
  local result = nil
  for info in internal.listing(dialect.attachment_info(self.owner:path(), self.field), { [dialect.PARAMETERS.where] = where_clause({ PK_ID = self.pk }) }) do
    result = result or info
  end
  return result
end

--- Iterates over the file info of the records' attachments in `field` (opts.where: whose).
function Table:attachments(field, opts)
  name_arg(field, 1, "attachments", "attachment field name")
  opts = internal.check_options("attachments", opts)
  local clause = where_clause(opts.where)
  local dialect = internal.dialect()
  return internal.listing(dialect.attachment_info(self:path(), field), { [dialect.PARAMETERS.where] = clause ~= "" and clause or nil })
end

local function shape(t, field, what, after)
  return { before = format("%q, ", field), after = after, what = format("%s the %s attachments of every row of %s", what, field, t.name) }
end

--- Changes the file info ({FileName = …}) of the attachments matching `where`; returns
--- RecordsAffected. An empty where needs {all = true}, as t:update does.
function Table:set_attachment_info(field, where, changes, opts)
  name_arg(field, 1, "set_attachment_info", "attachment field name")
  internal.table_arg(changes, 3, "set_attachment_info", "a table of changes, e.g. {FileName = \"photo.png\"}")
  local clause = internal.guarded_where(self, where, opts, "set_attachment_info", shape(self, field, "change", "changes, "))
  return internal.dialect().rename_attachments(self:path(), field, clause, changes)
end

--- Deletes the attachments matching `where` (the records stay); returns RecordsAffected.
--- An empty where needs {all = true}, as t:delete does.
function Table:delete_attachments(field, where, opts)
  name_arg(field, 1, "delete_attachments", "attachment field name")
  local clause = internal.guarded_where(self, where, opts, "delete_attachments", shape(self, field, "delete"))
  return internal.dialect().delete_attachments(self:path(), field, clause)
end

-- The older spelling: caspio.attachments.upload/download(table, field, pk, local_path).
caspio.attachments = {}

function caspio.attachments.upload(table_name, field, pk, local_path)
  return caspio.table(table_name):attachment(field, pk):upload(local_path)
end

function caspio.attachments.download(table_name, field, pk, local_path)
  return caspio.table(table_name):attachment(field, pk):download(local_path)
end
