-- Binary trees; same work and output as ../wren/binary_trees.wren.

local Node = {}
Node.__index = Node

function Node.new(left, right)
  return setmetatable({ left = left, right = right }, Node)
end

function Node.build(depth)
  if depth == 0 then return Node.new(nil, nil) end
  return Node.new(Node.build(depth - 1), Node.build(depth - 1))
end

function Node:check()
  if self.left == nil then return 1 end
  return 1 + self.left:check() + self.right:check()
end

local minDepth = 4
local maxDepth = 14
local stretchDepth = maxDepth + 1

print("stretch tree of depth " .. stretchDepth .. "\t check: " .. Node.build(stretchDepth):check())

local longLived = Node.build(maxDepth)

local depth = minDepth
while depth <= maxDepth do
  local iterations = 1 << (maxDepth - depth + minDepth)
  local check = 0
  for i = 1, iterations do
    check = check + Node.build(depth):check()
  end
  print(iterations .. "\t trees of depth " .. depth .. "\t check: " .. check)
  depth = depth + 2
end

print("long lived tree of depth " .. maxDepth .. "\t check: " .. longLived:check())
