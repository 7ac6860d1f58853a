-- The module's errors: how an error table reads, and the two ways the module raises.
local caspio, internal = ...
local native = internal.native
local concat, format = table.concat, string.format

-- Made by the host under its registered name (ModuleContract.errorMetatable), so that Swift
-- and Lua build error tables of one kind.
local error_mt = internal.error_metatable
error_mt.__tostring = function(e)
  local head
  if e.kind == "http" then
    head = "HTTP " .. tostring(e.status or "?")
  elseif e.kind == "auth" then
    head = e.status and ("authentication failed (HTTP " .. e.status .. ")") or "authentication failed"
  else
    head = tostring(e.kind) .. " error"
  end
  if e.code and e.code ~= "" then head = head .. " " .. e.code end
  local context = {}
  if e.method and e.url then context[#context + 1] = e.method .. " " .. e.url
  elseif e.url then context[#context + 1] = e.url end
  if e.request_id and e.request_id ~= "" then context[#context + 1] = "request " .. e.request_id end
  local text = head .. ": " .. tostring(e.message)
  if #context > 0 then text = text .. " (" .. concat(context, ", ") .. ")" end
  if e.index then text = "item " .. e.index .. ": " .. text end
  return text
end

--- Raises an error table of `kind` (fields: status, request_id, method, url...).
function internal.raise(kind, message, fields)
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
