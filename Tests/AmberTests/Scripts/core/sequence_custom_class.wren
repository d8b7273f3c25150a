// A user class that implements the iterator protocol gets all of
// Sequence's methods by inheriting from it.
class Countdown is Sequence {
  construct new(start) { _start = start }

  iterate(iterator) {
    if (iterator == null) return _start > 0 ? _start : false
    if (iterator <= 1) return false
    return iterator - 1
  }

  iteratorValue(iterator) { iterator }
}

var c = Countdown.new(4)
System.print(c.toList) // expect: [4, 3, 2, 1]
System.print(c.count) // expect: 4
System.print(c.map {|n| n * 2 }.toList) // expect: [8, 6, 4, 2]
System.print(c.where {|n| n % 2 == 0 }.toList) // expect: [4, 2]
System.print(c.reduce {|a, b| a + b }) // expect: 10
System.print(c.join("-")) // expect: 4-3-2-1
System.print(c.contains(3)) // expect: true
System.print(c.take(2).toList) // expect: [4, 3]
System.print(Countdown.new(0).isEmpty) // expect: true

for (n in Countdown.new(2)) System.print("tick %(n)")
// expect: tick 2
// expect: tick 1

System.print([0] + Countdown.new(2)) // expect: [0, 2, 1]
