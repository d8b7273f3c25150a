var nums = [10, 20, 30, 40, 50]
System.print(nums.take(2).toList) // expect: [10, 20]
System.print(nums.skip(3).toList) // expect: [40, 50]
System.print(nums.skip(1).take(3).toList) // expect: [20, 30, 40]
System.print(nums.take(0).toList) // expect: []
System.print(nums.take(99).toList) // expect: [10, 20, 30, 40, 50]
System.print(nums.skip(99).toList) // expect: []
System.print((1..1000000).take(3).toList) // expect: [1, 2, 3]

// toList on a list makes a copy.
var copy = nums.toList
copy.add(60)
System.print(nums.count) // expect: 5
System.print(copy.count) // expect: 6

System.print("héllo".take(2).toList) // expect: [h, é]
System.print("héllo".skip(3).join()) // expect: lo
