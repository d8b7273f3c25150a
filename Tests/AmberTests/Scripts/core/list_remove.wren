var list = ["a", "b", "c", "b", "d"]
System.print(list.remove("b")) // expect: b
System.print(list) // expect: [a, c, b, d]
System.print(list.remove("zzz")) // expect: null
System.print(list) // expect: [a, c, b, d]

System.print(list.removeAt(0)) // expect: a
System.print(list) // expect: [c, b, d]
System.print(list.removeAt(-1)) // expect: d
System.print(list) // expect: [c, b]

list.clear()
System.print(list) // expect: []
System.print(list.count) // expect: 0

var nums = [1, 2, 3]
nums.remove(2.0)
System.print(nums) // expect: [1, 3]
