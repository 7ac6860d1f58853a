-- The module's errors: how an error table reads, and the two ways the module raises.
local caspio, internal = ...
local native = internal.native
local format = string.format

-- Made by the host under its registered name (ModuleContract.errorMetatable), so that Swift
-- and Lua build error tables of one kind.
local error_mt = internal.error_metatable
-- Worded by the host's one formatter (CaspioError.describe), as Swift's own errors are.
error_mt.__tostring = function(e)
  local function text(v) return v ~= nil and tostring(v) or nil end
  local words = native.describe_error(tostring(e.kind), tostring(e.message), text(e.status), text(e.code), text(e.request_id),
    text(e.method), text(e.url), text(e.remediation))
  if e.index then words = "item " .. e.index .. ": " .. words end
  return words
end

--- Raises an error table of `kind`, one of internal.kinds (CaspioError.Kind's names), with
--- fields such as status, request_id, method, url.
function internal.raise(kind, message, fields)
  if internal.kinds[kind] == nil then error("internal.raise: unknown error kind " .. tostring(kind)) end
  local e = fields or {}
  e.kind, e.message = kind, message
  error(setmetatable(e, error_mt), 0)
end

--- Raises a usage error (`message` formatted as string.format does) at the script's line.
--- The host finds that line, skipping every chunk of the module, as its own argument checks
--- do: one rule for both sides, whatever path reached the check.
function internal.usage(message, ...)
  native.usage(format(message, ...))
end
