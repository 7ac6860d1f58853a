-- 160 reads through caspio.map, 8 at a time; prints the seconds taken and what the run saw.
local n = tonumber(arg[1]) or 160
local ids = {}
for i = 1, n do ids[i] = i end
caspio.map(ids, function() return caspio.get("tables/Bench/records") end, { concurrency = 8 })
local s = caspio.stats()
print(string.format("%.2f\t%d\t%d\t%.2f", s.duration, s.requests, s.throttled, s.paused))
