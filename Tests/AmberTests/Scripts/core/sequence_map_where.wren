var nums = [1, 2, 3, 4, 5, 6]
System.print(nums.map {|n| n * 10 }.toList) // expect: [10, 20, 30, 40, 50, 60]
System.print(nums.where {|n| n % 3 == 0 }.toList) // expect: [3, 6]
System.print(nums.where {|n| n > 2 }.map {|n| "#%(n)" }.join(",")) // expect: #3,#4,#5,#6

// map and where are lazy: they see later changes to the source.
var source = [1, 2]
var doubled = source.map {|n| n * 2 }
source.add(3)
System.print(doubled.toList) // expect: [2, 4, 6]

// Laziness means the function only runs when iterated.
var calls = 0
var lazy = [1, 2, 3].map {|n|
  calls = calls + 1
  return n
}
System.print(calls) // expect: 0
lazy.toList
System.print(calls) // expect: 3

System.print("abc".map {|c| c + c }.toList) // expect: [aa, bb, cc]
System.print((1..10).where {|n| n > 100 }.toList) // expect: []
