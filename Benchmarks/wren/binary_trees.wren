// Binary trees: allocates and walks many short-lived complete binary trees
// (plus one long-lived tree that stays reachable throughout). Measures object
// allocation, field access, recursion and the garbage collector.

class Node {
  construct new(left, right) {
    _left = left
    _right = right
  }

  // Builds a complete tree of the given depth (depth 0 is a single leaf).
  static build(depth) {
    if (depth == 0) return Node.new(null, null)
    return Node.new(build(depth - 1), build(depth - 1))
  }

  // Counts the nodes of the tree below and including this one.
  check {
    if (_left == null) return 1
    return 1 + _left.check + _right.check
  }
}

var minDepth = 4
var maxDepth = 14
var stretchDepth = maxDepth + 1

System.print("stretch tree of depth %(stretchDepth)\t check: %(Node.build(stretchDepth).check)")

var longLived = Node.build(maxDepth)

var depth = minDepth
while (depth <= maxDepth) {
  var iterations = 1 << (maxDepth - depth + minDepth)
  var check = 0
  for (i in 1..iterations) {
    check = check + Node.build(depth).check
  }
  System.print("%(iterations)\t trees of depth %(depth)\t check: %(check)")
  depth = depth + 2
}

System.print("long lived tree of depth %(maxDepth)\t check: %(longLived.check)")
