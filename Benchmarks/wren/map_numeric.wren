// Numeric map keys: inserts, looks up, overwrites and removes integer (and a
// few fractional) keys. Measures Map hashing of numbers, probing, growth and
// removal.

var n = 300000
var map = {}

for (i in 1..n) map[i] = i * 2

// Look up every key that is present, and as many that are not.
var sum = 0
for (i in 1..n) sum = sum + map[i]
var missing = 0
for (i in (n + 1)..(2 * n)) {
  if (map[i] == null) missing = missing + 1
}
System.print("sum: %(sum), missing: %(missing), count: %(map.count)")

// Fractional keys hash differently from integral ones.
for (i in 1..1000) map[i + 0.5] = i
var halves = 0
for (i in 1..1000) halves = halves + map[i + 0.5]
System.print("halves: %(halves), count: %(map.count)")

// Overwrite the even keys, then remove the odd ones.
for (i in 2..n) {
  if (i % 2 == 0) map[i] = -1
}
var removed = 0
var i = 1
while (i <= n) {
  removed = removed + map.remove(i)
  i = i + 2
}
var kept = 0
for (i in 1..n) {
  if (map.containsKey(i)) kept = kept + map[i]
}
System.print("removed: %(removed), kept: %(kept), count: %(map.count)")
