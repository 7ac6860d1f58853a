-- Reads every row of the benchmark table: through caspio.records (the default; prints the row
-- count and the Lua heap after each 10 pages, which must stay flat: the pages in flight), or
-- with `all`, through t:all() (concurrent pages after the first).
local rows, heap = 0, {}
if arg[1] == "all" then
  rows = #caspio.table("Bench"):all({ pageSize = 1000 })
  print(rows .. " rows")
  return
end
for row in caspio.records("Bench", { pageSize = 1000 }) do
  rows = rows + 1
  if rows % 10000 == 0 then
    collectgarbage()
    heap[#heap + 1] = math.floor(collectgarbage("count"))
  end
end
print(rows .. " rows; Lua heap KiB every 10 pages: " .. table.concat(heap, " "))
