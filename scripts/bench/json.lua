-- Times JSON decode and encode of one file, N times each, with whichever codec is present:
-- caspio's (inside `caspio`) or Debian's lua-cjson (under lua5.4). Prints a RESULT line for
-- scripts/bench-json and a few exactness probes.
-- Usage: caspio scripts/bench/json.lua FILE N   |   lua5.4 scripts/bench/json.lua FILE N
local file, n = arg[1], tonumber(arg[2] or 300)
assert(file, "usage: json.lua FILE [N]")

local name, json
local ok, caspio = pcall(require, "caspio")
if ok and type(caspio) == "table" and caspio.json then
  name, json = "caspio", caspio.json
else
  name, json = "cjson", require("cjson")
end

local f = assert(io.open(file, "rb"))
local text = f:read("a")
f:close()

-- Warm up (and keep one decoded value to encode).
local value = json.decode(text)
local encoded = json.encode(value)

collectgarbage()
local t0 = os.clock()
for _ = 1, n do value = json.decode(text) end
local decodeSeconds = os.clock() - t0

collectgarbage()
t0 = os.clock()
for _ = 1, n do encoded = json.encode(value) end
local encodeSeconds = os.clock() - t0

-- Throughput in MB of the input document per second, both ways, so the two codecs are
-- compared on the same amount of data even where their output differs slightly.
local mb = #text * n / 1e6
print(string.format("RESULT %s %.1f %.1f %d %d %d", name, mb / decodeSeconds, mb / encodeSeconds, #text, #encoded, n))

-- Exactness probes.
local probe = "[1,1.0,9007199254740993,-9223372036854775808,12.34,0.1,-0,1e300]"
local back = json.decode(probe)
local types = {}
for i = 1, #back do types[i] = math.type(back[i]) end
print(string.format("PROBE %s decode(%s) types: %s", name, probe, table.concat(types, ",")))
print(string.format("PROBE %s encode(decode(...)) = %s", name, json.encode(back)))

-- Does the page survive decode -> encode -> decode with every number's type and value?
local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) == "number" then return math.type(a) == math.type(b) and a == b end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
local original = json.decode(text)
local integers = 0
for _, row in ipairs(original.Result) do
  if math.type(row.PK_ID) == "integer" then integers = integers + 1 end
end
print(string.format("PROBE %s page decode->encode->decode keeps values and types: %s; PK_ID decoded as integers: %d/%d%s", name,
  tostring(same(original, json.decode(json.encode(original)))), integers, #original.Result,
  name == "caspio" and ("; sorted re-encode byte-identical: " ..
    tostring(json.encode(original, {sort_keys = true}) == text)) or ""))
