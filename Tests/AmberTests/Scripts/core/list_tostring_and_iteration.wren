System.print([]) // expect: []
System.print([1, [2, "three"], null]) // expect: [1, [2, three], null]
System.print([1, 2].toString.count) // expect: 6

var list = [10, 20, 30]
System.print(list.iterate(null)) // expect: 0
System.print(list.iterate(0)) // expect: 1
System.print(list.iterate(2)) // expect: false
System.print(list.iteratorValue(1)) // expect: 20
System.print([].iterate(null)) // expect: false

// Elements added during iteration are visited too.
var grow = [1, 2, 3]
var seen = []
for (x in grow) {
  seen.add(x)
  if (grow.count < 5) grow.add(x * 10)
}
System.print(seen) // expect: [1, 2, 3, 10, 20]
