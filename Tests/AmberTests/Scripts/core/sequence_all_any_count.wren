var nums = [2, 4, 6, 7]
System.print(nums.all {|n| n > 0 }) // expect: true
System.print(nums.all {|n| n % 2 == 0 }) // expect: false
System.print(nums.any {|n| n > 6 }) // expect: true
System.print(nums.any {|n| n > 7 }) // expect: false
System.print([].all {|n| false }) // expect: true
System.print([].any {|n| true }) // expect: false

// all/any return the deciding value itself.
System.print([1, 2].all {|n| n == 1 ? "truthy" : null }) // expect: null
System.print([1, 2].any {|n| n == 2 ? "found" : false }) // expect: found

System.print(nums.count) // expect: 4
System.print(nums.count {|n| n > 3 }) // expect: 3
System.print((1..10).count {|n| n % 2 == 0 }) // expect: 5

// any stops at the first truthy result.
var visited = []
[1, 2, 3, 4].any {|n|
  visited.add(n)
  return n == 2
}
System.print(visited) // expect: [1, 2]
