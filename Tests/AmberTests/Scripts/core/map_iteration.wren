var m = {"one": 1, "two": 2, "three": 3}

// Iteration order is undefined, so sort before printing.
var keys = m.keys.toList
keys.sort {|a, b| m[a] < m[b] }
System.print(keys) // expect: [one, two, three]

var values = m.values.toList
values.sort()
System.print(values) // expect: [1, 2, 3]

var pairs = []
for (entry in m) {
  pairs.add("%(entry.key)=%(entry.value)")
}
pairs.sort {|a, b| a.count < b.count || (a.count == b.count && a.bytes[0] < b.bytes[0]) }
System.print(pairs) // expect: [one=1, two=2, three=3]

var total = 0
for (entry in m) total = total + entry.value
System.print(total) // expect: 6

for (entry in {"k": "v"}) {
  System.print(entry.type) // expect: MapEntry
  System.print(entry) // expect: k:v
}

System.print({}.keys.count) // expect: 0
System.print(m.keys.contains("two")) // expect: true
System.print(m.values.reduce {|a, b| a + b }) // expect: 6
