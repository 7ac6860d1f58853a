-- N inserts through caspio.map, 8 at a time; prints the seconds taken and what the run saw.
local n = tonumber(arg[1]) or 500
local rows = {}
for i = 1, n do rows[i] = { Name = "row " .. i } end
caspio.map(rows, function(row) return caspio.post("tables/Bench/records", row) end, { concurrency = 8 })
local s = caspio.stats()
print(string.format("%.2f\t%d\t%d\t%d\t%d\t%.2f", s.duration, s.requests, s.retries, s.throttled, s.pauses, s.paused))
