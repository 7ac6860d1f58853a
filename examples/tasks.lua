-- Tasks: list the account's import/export tasks, run one, and see what it did.
-- Run it: caspio run --sandbox examples/tasks.lua [TASK_KEY]  (without --sandbox: CASPIO_* set;
-- the sandbox's "Export customers" task when none is given).
local key = arg[1]
for task in caspio.tasks.list() do
  print("task", task.Name, task.Status)
  if key == nil and task.Name == "Export customers" then key = task.ExternalKey end
end
assert(key, "give a task's external key")

local task = caspio.tasks.get(key)
caspio.tasks.run(key) -- Caspio answers once the task has run.
print("ran", task.Name)

-- The export task writes its file into a folder: find it by path.
if arg[1] == nil then
  local info = caspio.files.info("/Reports/customers.csv")
  print(("exported %s, %d bytes"):format(info.Name, info.Size))
end
