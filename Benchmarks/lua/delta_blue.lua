-- DeltaBlue constraint solver; same algorithm, work and output as
-- ../wren/delta_blue.wren (see there for a description).

local function class(parent)
  local c = {}
  c.__index = c
  if parent then setmetatable(c, { __index = parent }) end
  return c
end

-- Strengths: lower values are stronger.
local Strength = class()

function Strength.new(value, name)
  return setmetatable({ value = value, name = name }, Strength)
end

local REQUIRED = Strength.new(0, "required")
local STRONG_PREFERRED = Strength.new(1, "strongPreferred")
local PREFERRED = Strength.new(2, "preferred")
local STRONG_DEFAULT = Strength.new(3, "strongDefault")
local NORMAL = Strength.new(4, "normal")
local WEAK_DEFAULT = Strength.new(5, "weakDefault")
local WEAKEST = Strength.new(6, "weakest")
local Strengths = { [0] = REQUIRED, STRONG_PREFERRED, PREFERRED,
  STRONG_DEFAULT, NORMAL, WEAK_DEFAULT, WEAKEST }

function Strength:nextWeaker() return Strengths[self.value + 1] end
local function stronger(a, b) return a.value < b.value end
local function weaker(a, b) return a.value > b.value end
local function weakestOf(a, b) if weaker(a, b) then return a else return b end end

local NONE, FORWARD, BACKWARD = 0, 1, 2

local ThePlanner = nil

-- Constraint -------------------------------------------------------------
local Constraint = class()

function Constraint:isInput() return false end

function Constraint:addConstraint()
  self:addToGraph()
  ThePlanner:incrementalAdd(self)
end

function Constraint:satisfy(mark)
  self:chooseMethod(mark)
  if not self:isSatisfied() then
    if self.strength == REQUIRED then
      error("Could not satisfy a required constraint.")
    end
    return nil
  end
  self:markInputs(mark)
  local out = self:output()
  local overridden = out.determinedBy
  if overridden ~= nil then overridden:markUnsatisfied() end
  out.determinedBy = self
  if not ThePlanner:addPropagate(self, mark) then error("Cycle encountered.") end
  out.mark = mark
  return overridden
end

function Constraint:destroyConstraint()
  if self:isSatisfied() then
    ThePlanner:incrementalRemove(self)
  else
    self:removeFromGraph()
  end
end

-- UnaryConstraint --------------------------------------------------------
local UnaryConstraint = class(Constraint)

local function initUnary(self, variable, strength)
  self.strength = strength
  self.myOutput = variable
  self.satisfied = false
  self:addConstraint()
  return self
end

function UnaryConstraint:addToGraph()
  self.myOutput:addConstraint(self)
  self.satisfied = false
end

function UnaryConstraint:removeFromGraph()
  if self.myOutput ~= nil then self.myOutput:removeConstraint(self) end
  self.satisfied = false
end

function UnaryConstraint:chooseMethod(mark)
  self.satisfied = self.myOutput.mark ~= mark and
      stronger(self.strength, self.myOutput.walkStrength)
end

function UnaryConstraint:isSatisfied() return self.satisfied end
function UnaryConstraint:markUnsatisfied() self.satisfied = false end
function UnaryConstraint:markInputs(mark) end
function UnaryConstraint:inputsKnown(mark) return true end
function UnaryConstraint:output() return self.myOutput end

function UnaryConstraint:recalculate()
  self.myOutput.walkStrength = self.strength
  self.myOutput.stay = not self:isInput()
  if self.myOutput.stay then self:execute() end
end

local StayConstraint = class(UnaryConstraint)
function StayConstraint.new(variable, strength)
  return initUnary(setmetatable({}, StayConstraint), variable, strength)
end
function StayConstraint:execute() end

local EditConstraint = class(UnaryConstraint)
function EditConstraint.new(variable, strength)
  return initUnary(setmetatable({}, EditConstraint), variable, strength)
end
function EditConstraint:isInput() return true end
function EditConstraint:execute() end

-- BinaryConstraint -------------------------------------------------------
local BinaryConstraint = class(Constraint)

local function initBinary(self, v1, v2, strength)
  self.strength = strength
  self.v1 = v1
  self.v2 = v2
  self.direction = NONE
  self:addConstraint()
  return self
end

function BinaryConstraint:addToGraph()
  self.v1:addConstraint(self)
  self.v2:addConstraint(self)
  self.direction = NONE
end

function BinaryConstraint:removeFromGraph()
  if self.v1 ~= nil then self.v1:removeConstraint(self) end
  if self.v2 ~= nil then self.v2:removeConstraint(self) end
  self.direction = NONE
end

function BinaryConstraint:chooseMethod(mark)
  local v1, v2 = self.v1, self.v2
  if v1.mark == mark then
    if v2.mark ~= mark and stronger(self.strength, v2.walkStrength) then
      self.direction = FORWARD
    else
      self.direction = NONE
    end
    return
  end
  if v2.mark == mark then
    if v1.mark ~= mark and stronger(self.strength, v1.walkStrength) then
      self.direction = BACKWARD
    else
      self.direction = NONE
    end
    return
  end
  if weaker(v1.walkStrength, v2.walkStrength) then
    self.direction = stronger(self.strength, v1.walkStrength) and BACKWARD or NONE
  else
    self.direction = stronger(self.strength, v2.walkStrength) and FORWARD or NONE
  end
end

function BinaryConstraint:isSatisfied() return self.direction ~= NONE end
function BinaryConstraint:markUnsatisfied() self.direction = NONE end

function BinaryConstraint:input()
  if self.direction == FORWARD then return self.v1 else return self.v2 end
end

function BinaryConstraint:output()
  if self.direction == FORWARD then return self.v2 else return self.v1 end
end

function BinaryConstraint:markInputs(mark) self:input().mark = mark end

function BinaryConstraint:inputsKnown(mark)
  local source = self:input()
  return source.mark == mark or source.stay or source.determinedBy == nil
end

function BinaryConstraint:recalculate()
  local source, target = self:input(), self:output()
  target.walkStrength = weakestOf(self.strength, source.walkStrength)
  target.stay = source.stay
  if target.stay then self:execute() end
end

-- ScaleConstraint: v2 = v1 * scale + offset
local ScaleConstraint = class(BinaryConstraint)

function ScaleConstraint.new(source, scale, offset, destination, strength)
  local self = setmetatable({ scale = scale, offset = offset }, ScaleConstraint)
  return initBinary(self, source, destination, strength)
end

function ScaleConstraint:addToGraph()
  BinaryConstraint.addToGraph(self)
  self.scale:addConstraint(self)
  self.offset:addConstraint(self)
end

function ScaleConstraint:removeFromGraph()
  BinaryConstraint.removeFromGraph(self)
  if self.scale ~= nil then self.scale:removeConstraint(self) end
  if self.offset ~= nil then self.offset:removeConstraint(self) end
end

function ScaleConstraint:markInputs(mark)
  BinaryConstraint.markInputs(self, mark)
  self.scale.mark = mark
  self.offset.mark = mark
end

function ScaleConstraint:execute()
  if self.direction == FORWARD then
    self.v2.value = self.v1.value * self.scale.value + self.offset.value
  else
    self.v1.value = (self.v2.value - self.offset.value) / self.scale.value
  end
end

function ScaleConstraint:recalculate()
  local source, target = self:input(), self:output()
  target.walkStrength = weakestOf(self.strength, source.walkStrength)
  target.stay = source.stay and self.scale.stay and self.offset.stay
  if target.stay then self:execute() end
end

-- EqualityConstraint: v1 == v2
local EqualityConstraint = class(BinaryConstraint)

function EqualityConstraint.new(v1, v2, strength)
  return initBinary(setmetatable({}, EqualityConstraint), v1, v2, strength)
end

function EqualityConstraint:execute()
  if self.direction == FORWARD then
    self.v2.value = self.v1.value
  else
    self.v1.value = self.v2.value
  end
end

-- Variable ---------------------------------------------------------------
local Variable = class()

function Variable.new(name, value)
  return setmetatable({ name = name, value = value, constraints = {},
    determinedBy = nil, mark = 0, walkStrength = WEAKEST, stay = true },
    Variable)
end

function Variable:addConstraint(c)
  local list = self.constraints
  list[#list + 1] = c
end

function Variable:removeConstraint(c)
  local list = self.constraints
  local kept = 0
  for i = 1, #list do
    local each = list[i]
    if each ~= c then
      kept = kept + 1
      list[kept] = each
    end
  end
  for i = #list, kept + 1, -1 do list[i] = nil end
  if self.determinedBy == c then self.determinedBy = nil end
end

-- Plan -------------------------------------------------------------------
local Plan = class()

function Plan.new() return setmetatable({ list = {} }, Plan) end

function Plan:addConstraint(c) self.list[#self.list + 1] = c end

function Plan:execute()
  local list = self.list
  for i = 1, #list do list[i]:execute() end
end

-- Planner ----------------------------------------------------------------
local Planner = class()

function Planner.new() return setmetatable({ currentMark = 0 }, Planner) end

function Planner:newMark()
  self.currentMark = self.currentMark + 1
  return self.currentMark
end

function Planner:incrementalAdd(c)
  local mark = self:newMark()
  local overridden = c:satisfy(mark)
  while overridden ~= nil do overridden = overridden:satisfy(mark) end
end

function Planner:incrementalRemove(c)
  local out = c:output()
  c:markUnsatisfied()
  c:removeFromGraph()
  local unsatisfied = self:removePropagateFrom(out)
  local strength = REQUIRED
  while true do
    for i = 1, #unsatisfied do
      local u = unsatisfied[i]
      if u.strength == strength then self:incrementalAdd(u) end
    end
    strength = strength:nextWeaker()
    if strength == WEAKEST then break end
  end
end

function Planner:makePlan(sources)
  local mark = self:newMark()
  local plan = Plan.new()
  local todo = sources
  while #todo > 0 do
    local c = table.remove(todo, 1)
    if c:output().mark ~= mark and c:inputsKnown(mark) then
      plan:addConstraint(c)
      c:output().mark = mark
      self:addConstraintsConsumingTo(c:output(), todo)
    end
  end
  return plan
end

function Planner:extractPlanFromConstraints(constraints)
  local sources = {}
  for i = 1, #constraints do
    local c = constraints[i]
    if c:isInput() and c:isSatisfied() then sources[#sources + 1] = c end
  end
  return self:makePlan(sources)
end

function Planner:addPropagate(c, mark)
  local todo = { c }
  while #todo > 0 do
    local d = table.remove(todo)
    if d:output().mark == mark then
      self:incrementalRemove(c)
      return false
    end
    d:recalculate()
    self:addConstraintsConsumingTo(d:output(), todo)
  end
  return true
end

function Planner:removePropagateFrom(out)
  out.determinedBy = nil
  out.walkStrength = WEAKEST
  out.stay = true
  local unsatisfied = {}
  local todo = { out }
  while #todo > 0 do
    local v = table.remove(todo)
    local constraints = v.constraints
    for i = 1, #constraints do
      local c = constraints[i]
      if not c:isSatisfied() then unsatisfied[#unsatisfied + 1] = c end
    end
    local determining = v.determinedBy
    for i = 1, #constraints do
      local c = constraints[i]
      if c ~= determining and c:isSatisfied() then
        c:recalculate()
        todo[#todo + 1] = c:output()
      end
    end
  end
  return unsatisfied
end

function Planner:addConstraintsConsumingTo(v, list)
  local determining = v.determinedBy
  local constraints = v.constraints
  for i = 1, #constraints do
    local c = constraints[i]
    if c ~= determining and c:isSatisfied() then list[#list + 1] = c end
  end
end

-- Tests ------------------------------------------------------------------
local function chainTest(n)
  ThePlanner = Planner.new()
  local previous, first, last = nil, nil, nil
  for i = 0, n do
    local v = Variable.new("v" .. i, 0)
    if previous ~= nil then EqualityConstraint.new(previous, v, REQUIRED) end
    if i == 0 then first = v end
    if i == n then last = v end
    previous = v
  end
  StayConstraint.new(last, STRONG_DEFAULT)
  local edit = EditConstraint.new(first, PREFERRED)
  local plan = ThePlanner:extractPlanFromConstraints({ edit })
  local seen = 0
  for i = 0, 99 do
    first.value = i
    plan:execute()
    if last.value ~= i then error("Chain test failed at " .. i .. ".") end
    seen = seen + last.value
  end
  edit:destroyConstraint()
  return seen
end

local function change(v, value)
  local edit = EditConstraint.new(v, PREFERRED)
  local plan = ThePlanner:extractPlanFromConstraints({ edit })
  for i = 1, 10 do
    v.value = value
    plan:execute()
  end
  edit:destroyConstraint()
end

local function projectionTest(n)
  ThePlanner = Planner.new()
  local scale = Variable.new("scale", 10)
  local offset = Variable.new("offset", 1000)
  local source, destination = nil, nil
  local destinations = {}
  for i = 0, n - 1 do
    source = Variable.new("src" .. i, i)
    destination = Variable.new("dst" .. i, i)
    destinations[#destinations + 1] = destination
    StayConstraint.new(source, NORMAL)
    ScaleConstraint.new(source, scale, offset, destination, REQUIRED)
  end
  change(source, 17)
  if destination.value ~= 1170 then error("Projection 1 failed.") end
  change(destination, 1050)
  if source.value ~= 5 then error("Projection 2 failed.") end
  change(scale, 5)
  for i = 0, n - 2 do
    if destinations[i + 1].value ~= i * 5 + 1000 then error("Projection 3 failed.") end
  end
  change(offset, 2000)
  local sum = 0
  for i = 0, n - 2 do
    if destinations[i + 1].value ~= i * 5 + 2000 then error("Projection 4 failed.") end
    sum = sum + destinations[i + 1].value
  end
  return sum + source.value + destination.value
end

local chainTotal = 0
local projectionTotal = 0
for round = 1, 150 do
  chainTotal = chainTotal + chainTest(100)
  projectionTotal = projectionTotal + projectionTest(100)
end
-- Division in ScaleConstraint makes some values floats; print them as
-- integers, as Wren does for integral numbers.
print(string.format("chain total: %d", chainTotal))
print(string.format("projection total: %d", projectionTotal))
