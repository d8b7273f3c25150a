System.print(true ? "yes" : "no") // expect: yes
System.print(null ? "yes" : "no") // expect: no
System.print(1 < 2 ? (1 > 2 ? "a" : "b") : "c") // expect: b
System.print(1 > 2 ? "a" : 2 > 3 ? "b" : "c") // expect: c

// Only the chosen branch is evaluated.
var log = []
var pick = Fn.new {|x|
  log.add(x)
  return x
}
var r = false ? pick.call("left") : pick.call("right")
System.print(r) // expect: right
System.print(log) // expect: [right]

// Right associative chain.
var grade = Fn.new {|s| s >= 90 ? "A" : s >= 80 ? "B" : s >= 70 ? "C" : "F" }
System.print([95, 85, 75, 10].map(grade).toList) // expect: [A, B, C, F]
