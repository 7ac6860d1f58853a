-- Writes a Caspio-shaped REST page, {"Result":[...1000 records...]}, of about 200 KB.
-- Deterministic (its own generator, no math.random), so every run measures the same bytes.
-- Keys are in byte order and numbers in shortest form, so a lossless codec that sorts keys
-- re-encodes the page byte for byte. Usage: lua5.4 make-page.lua OUT [RECORDS]
local out, records = arg[1], tonumber(arg[2] or 1000)
assert(out, "usage: make-page.lua OUT [RECORDS]")

local seed = 20240601
local function rand(n) -- 1..n, a 31-bit linear congruential generator
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end
local function pick(list) return list[rand(#list)] end

local first = {"Ana", "José", "Zoë", "Björn", "Chloé", "Łukasz", "Nguyễn", "Søren", "Mary", "John",
  "Aiko", "Omar", "François", "Inés", "Дмитрий", "李", "Peter", "Grace", "Ravi", "Fatima"}
local last = {"García", "Müller", "O'Brien", "Smith", "Nakamura", "Øster", "Kowalski", "Dubois",
  "Johnson", "Ng", "Hernández", "Van der Berg", "Singh", "Ivanova", "Brown", "Rossi"}
local streets = {"Main St", "Oak Avenue", "Rue de la Paix", "Königstraße", "High Street",
  "Elm Ct", "Calle Mayor", "Market Square", "Sunset Blvd", "Old Mill Rd"}
local cities = {"Seattle", "Zürich", "São Paulo", "Montréal", "Kraków", "Austin", "Tōkyō",
  "Reykjavík", "Boston", "Lyon"}
local notes = {"Prefers email", "Call before 5pm", "VIP – handle with care",
  'Said "thanks!" twice', "Line one\nLine two", "Tab\tseparated", "Paid in €", "Left a 5★ review"}

local function quote(s) -- only the escapes the page uses: quote, backslash, newline, tab
  return '"' .. s:gsub('[\\"\n\t]', {['\\'] = '\\\\', ['"'] = '\\"', ['\n'] = '\\n', ['\t'] = '\\t'}) .. '"'
end
local function cents(n) -- a price with two decimals whose last digit is not 0
  local c = rand(n) * 10 + rand(9)
  return string.format("%d.%02d", c // 100, c % 100)
end

local rows = {}
for id = 1, records do
  local fn, ln = pick(first), pick(last)
  local street = rand(9999) .. " " .. pick(streets)
  if rand(5) == 1 then street = street .. '\nApt "' .. rand(40) .. 'B"' end
  local fields = {
    {"Active", rand(3) > 1 and "true" or "false"},
    {"Address", quote(street)},
    {"City", quote(pick(cities))},
    {"CreatedAt", string.format('"%04d-%02d-%02dT%02d:%02d:%02d"', 2015 + rand(10), rand(12), rand(28),
      rand(24) - 1, rand(60) - 1, rand(60) - 1)},
    {"Discount", ({"0.125", "0.05", "0.3", "0.075", "0.15"})[rand(5)]},
    {"Email", quote(ln:lower():gsub("[^a-z]", "") .. "." .. id .. "@example.com")},
    {"FirstName", quote(fn)},
    {"LastName", quote(ln)},
    {"Notes", rand(5) > 3 and quote(pick(notes)) or "null"},
    {"Orders", tostring(rand(500) - 1)},
    {"PK_ID", tostring(id)},
    {"Price", cents(99999)},
  }
  local members = {}
  for i, f in ipairs(fields) do members[i] = '"' .. f[1] .. '":' .. f[2] end
  rows[id] = "{" .. table.concat(members, ",") .. "}"
end

local f = assert(io.open(out, "wb"))
f:write('{"Result":[', table.concat(rows, ","), "]}")
f:close()
