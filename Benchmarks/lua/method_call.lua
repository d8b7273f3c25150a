-- Toggle / NthToggle method calls; same work and output as
-- ../wren/method_call.wren.

local Toggle = {}
Toggle.__index = Toggle

function Toggle.new(state)
  return setmetatable({ state = state }, Toggle)
end

function Toggle:value() return self.state end

function Toggle:activate()
  self.state = not self.state
  return self
end

local NthToggle = setmetatable({}, { __index = Toggle })
NthToggle.__index = NthToggle

function NthToggle.new(state, limit)
  local t = Toggle.new(state)
  t.limit = limit
  t.count = 0
  return setmetatable(t, NthToggle)
end

function NthToggle:activate()
  self.count = self.count + 1
  if self.count >= self.limit then
    Toggle.activate(self)
    self.count = 0
  end
  return self
end

local rounds = 800000

local toggle = Toggle.new(true)
local trues = 0
for i = 1, rounds do
  if toggle:activate():value() then trues = trues + 1 end
  if toggle:activate():value() then trues = trues + 1 end
  if toggle:activate():value() then trues = trues + 1 end
  if toggle:activate():value() then trues = trues + 1 end
  if toggle:activate():value() then trues = trues + 1 end
end
print("toggle: " .. tostring(toggle:value()) .. ", true results: " .. trues)

local nth = NthToggle.new(true, 3)
trues = 0
for i = 1, rounds do
  if nth:activate():value() then trues = trues + 1 end
  if nth:activate():value() then trues = trues + 1 end
  if nth:activate():value() then trues = trues + 1 end
  if nth:activate():value() then trues = trues + 1 end
  if nth:activate():value() then trues = trues + 1 end
end
print("nth toggle: " .. tostring(nth:value()) .. ", true results: " .. trues)
