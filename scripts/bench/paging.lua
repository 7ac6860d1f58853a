-- Reads every row of the benchmark table through caspio.records; prints the row count and
-- the Lua heap after each 10 pages (it must stay flat: one page in memory at a time).
local rows, heap = 0, {}
for row in caspio.records("Bench", { pageSize = 1000 }) do
  rows = rows + 1
  if rows % 10000 == 0 then
    collectgarbage()
    heap[#heap + 1] = math.floor(collectgarbage("count"))
  end
end
print(rows .. " rows; Lua heap KiB every 10 pages: " .. table.concat(heap, " "))
