// String map keys: builds string keys, inserts them, looks them up (both with
// the identical key objects and with freshly built equal strings), and
// removes them. Measures string creation, hashing and equality inside Map.

var n = 100000
var keys = []
for (i in 0...n) keys.add("key-" + i.toString)

var map = {}
for (i in 0...n) map[keys[i]] = i

var sum = 0
for (round in 1..3) {
  for (key in keys) sum = sum + map[key]
}
System.print("sum: %(sum), count: %(map.count)")

// Look up equal strings that are different objects, and absent strings.
var found = 0
var absent = 0
for (i in 0...n) {
  if (map.containsKey("key-%(i)")) found = found + 1
  if (!map.containsKey("kez-%(i)")) absent = absent + 1
}
System.print("found: %(found), absent: %(absent)")

// Remove every other key, then count what is left.
var removed = 0
for (i in 0...n) {
  if (i % 2 == 0) removed = removed + map.remove(keys[i])
}
var left = 0
for (key in keys) {
  if (map.containsKey(key)) left = left + 1
}
System.print("removed: %(removed), left: %(left), count: %(map.count)")
