// Maps grow and keep every entry.
var squares = {}
for (i in 0...1000) squares[i] = i * i
System.print(squares.count) // expect: 1000
System.print(squares[999]) // expect: 998001
System.print(squares[1000]) // expect: null

for (i in 0...1000) {
  if (i % 2 == 0) squares.remove(i)
}
System.print(squares.count) // expect: 500
System.print(squares[10]) // expect: null
System.print(squares[11]) // expect: 121

var byName = {}
for (i in 1..100) byName["key%(i)"] = i
var sum = 0
for (v in byName.values) sum = sum + v
System.print(sum) // expect: 5050
