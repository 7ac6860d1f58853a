-- Writes the option tables of docs/lua-api.md and the option classes of docs/caspio.lua from
-- the module's one description of its options (Sources/CaspioModule/Lua/options.lua), so that
-- the check, the annotations and the reference cannot drift apart.
--
--   caspio run scripts/lua-docs.lua          rewrite the docs
--   caspio run scripts/lua-docs.lua --check  exit 1 (and say which) if they are out of date
local root = (arg[0]:match("^(.*)/scripts/[^/]+$") or ".") .. "/"
local check = arg[1] == "--check"

local chunk = assert(loadfile(root .. "Sources/CaspioModule/Lua/options.lua"))
local internal = { native = {} }
chunk({}, internal)
local specs = internal.option_specs

local reference_type = {
  where = "string, table or `caspio.where.raw(...)`", list = "string or list of strings", any = "any",
}

local function reference(spec)
  local lines = { "| option | type | meaning |", "| --- | --- | --- |" }
  for _, option in ipairs(spec) do
    local kind = reference_type[option[2]] or option[2]
    if option[2] == "choice" then kind = "`\"" .. table.concat(option.values, "\"` or `\"") .. "\"`" end
    lines[#lines + 1] = string.format("| `%s` | %s | %s |", option[1], kind, option[4])
  end
  return table.concat(lines, "\n")
end

local function annotations(spec)
  local functions = table.concat(spec.functions, "`, `")
  local lines = { string.format("---The options of `%s`.", functions), "---@class " .. spec.class }
  for _, option in ipairs(spec) do
    lines[#lines + 1] = "---" .. option[4]
    lines[#lines + 1] = string.format("---@field %s? %s", option[1], option[3])
  end
  return table.concat(lines, "\n")
end

-- Replaces what stands between `open NAME` and `close` markers with make(spec).
local function fill(path, open, close, make)
  local file = assert(io.open(root .. path, "rb"))
  local text = file:read("a")
  file:close()
  local seen, out = {}, text
  for _, spec in ipairs(specs) do
    local start_marker = open:format(spec.name)
    local first, last = out:find(start_marker, 1, true)
    if first then
      local stop = assert(out:find(close, last, true), path .. ": " .. start_marker .. " is not closed")
      out = out:sub(1, last) .. "\n" .. make(spec) .. "\n" .. out:sub(stop)
      seen[spec.name] = true
    end
  end
  for _, spec in ipairs(specs) do
    if not seen[spec.name] then io.stderr:write(path, ": no ", open:format(spec.name), " marker\n") os.exit(1) end
  end
  if out == text then return true end
  if check then
    io.stderr:write(path, " is out of date: run caspio run scripts/lua-docs.lua\n")
    return false
  end
  file = assert(io.open(root .. path, "wb"))
  file:write(out)
  file:close()
  print("wrote " .. path)
  return true
end

local ok = fill("docs/lua-api.md", "<!-- options: %s -->", "<!-- /options -->", reference)
ok = fill("docs/caspio.lua", "-- <options: %s>", "-- </options>", annotations) and ok
os.exit(ok and 0 or 1)
