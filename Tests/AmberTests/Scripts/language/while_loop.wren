var n = 27
var steps = 0
while (n != 1) {
  n = n % 2 == 0 ? n / 2 : 3 * n + 1
  steps = steps + 1
}
System.print(steps) // expect: 111

// A while loop whose condition is false from the start never runs.
while (false) System.print("never")

// A single-statement body without braces.
var s = ""
while (s.count < 4) s = s + "ab"
System.print(s) // expect: abab
