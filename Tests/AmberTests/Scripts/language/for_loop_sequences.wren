for (i in 1..3) System.print(i)
// expect: 1
// expect: 2
// expect: 3

for (i in 3...1) System.print("down %(i)")
// expect: down 3
// expect: down 2

for (word in ["alpha", "beta"]) System.print(word)
// expect: alpha
// expect: beta

for (c in "héj") System.print(c)
// expect: h
// expect: é
// expect: j

// An empty exclusive range runs zero times.
for (i in 5...5) System.print("never")

var total = 0
for (i in 0..100) total = total + i
System.print(total) // expect: 5050
