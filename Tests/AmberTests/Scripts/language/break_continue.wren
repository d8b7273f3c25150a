var out = []
for (i in 1..10) {
  if (i % 2 == 0) continue
  if (i > 7) break
  out.add(i)
}
System.print(out) // expect: [1, 3, 5, 7]

// break only leaves the innermost loop.
var pairs = []
for (a in 1..3) {
  for (b in 1..3) {
    if (b > a) break
    pairs.add("%(a)%(b)")
  }
}
System.print(pairs.join(" ")) // expect: 11 21 22 31 32 33

// continue inside a while loop still re-checks the condition.
var i = 0
var skipped = 0
while (i < 6) {
  i = i + 1
  if (i % 3 != 0) continue
  skipped = skipped + i
}
System.print(skipped) // expect: 9
