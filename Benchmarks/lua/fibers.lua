-- Coroutines standing in for fibers; same work and output as
-- ../wren/fibers.wren.

local fiberCount = 200000
local total = 0
local finished = 0

local function worker(start)
  local acc = start
  for step = 1, 5 do
    acc = acc + coroutine.yield(acc)
  end
  return acc
end

for i = 1, fiberCount do
  local fiber = coroutine.create(worker)
  local _, value = coroutine.resume(fiber, i)
  while coroutine.status(fiber) ~= "dead" do
    total = total + value
    _, value = coroutine.resume(fiber, 1)
  end
  total = total + value
  finished = finished + 1
end
print(string.format("fibers: %d, total: %d", finished, total))

local counter = coroutine.create(function()
  local n = 0
  while true do
    n = n + 1
    coroutine.yield(n)
  end
end)
local last = 0
for i = 1, 2000000 do
  local _, v = coroutine.resume(counter)
  last = v
end
print(string.format("generator reached: %d", last))
