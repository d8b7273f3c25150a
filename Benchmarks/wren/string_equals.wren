// String equality: compares strings with ==  and != in a tight loop. The
// pairs cover identical objects, equal strings built separately, strings of
// the same length that differ late, strings of different lengths, and a
// string compared with a non-string. Measures the == operator on strings.

var base = "the quick brown fox jumps over the lazy dog"
var same = "the quick brown fox " + "jumps over the lazy dog"
var late = "the quick brown fox jumps over the lazy doe"
var short = "the quick brown fox"
var empty = ""

var equal = 0
var unequal = 0
for (i in 1..2000000) {
  if (base == base) equal = equal + 1
  if (base == same) equal = equal + 1
  if (base == late) equal = equal + 1 else unequal = unequal + 1
  if (base == short) equal = equal + 1 else unequal = unequal + 1
  if (short != base) unequal = unequal + 1
  if (empty == "") equal = equal + 1
  if (base == 42) equal = equal + 1 else unequal = unequal + 1
  if ("abc" == "abc") equal = equal + 1
}
System.print("equal: %(equal), unequal: %(unequal)")
