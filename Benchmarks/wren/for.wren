// Sum over a for loop: measures list building (List.add), the iterator
// protocol of `for (x in list)` (iterate/iteratorValue), range loops with
// subscripting, and number addition.

var numbers = []
for (i in 0...1000000) numbers.add(i)

var sum = 0
for (pass in 1..8) {
  for (n in numbers) sum = sum + n
}
System.print("sum of 8 passes: %(sum)")

// A pass that reads elements by index through a range loop.
var weighted = 0
for (i in 0...numbers.count) {
  if (i % 3 == 0) weighted = weighted + numbers[i]
}
System.print("every third: %(weighted)")
System.print("count: %(numbers.count)")
