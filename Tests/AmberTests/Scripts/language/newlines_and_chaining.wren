// A newline is allowed after the "." of a method call.
var result = [5, 3, 8, 1].
  where {|n| n > 2 }.
  map {|n| n * 10 }.
  toList
System.print(result) // expect: [50, 30, 80]

// Newlines are allowed after binary operators and inside brackets.
var sum = 1 +
  2 +
  3
System.print(sum) // expect: 6

var list = [
  "a",
  "b",
]
System.print(list) // expect: [a, b]

var map = {
  "k": "v",
}
System.print(map["k"]) // expect: v

var call = System.print(
  "args on a new line") // expect: args on a new line
