// Maps iterate in Wren's order: the same hashes (FNV-1a for strings, Wang's
// 64-bit hash of the value's bits otherwise), sizes (16 up, x2 at 75%, /2 on
// removal) and linear probing. Numbers are keys by their bits: -0 is not 0.
// Every expectation below is what Wren 0.4's reference VM prints.
var m = {}
m[1] = "first"
m[2] = "second"
m[3] = "third"
m[4] = "fourth"
m[5] = "fifth"
System.print(m) // expect: {2: second, 1: first, 3: third, 5: fifth, 4: fourth}
var s = {}
for (w in ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "honeydew", "kiwi", "lemon", "mango", "nectarine", "orange"]) s[w] = w.count
System.print(s) // expect: {nectarine: 9, orange: 6, banana: 6, grape: 5, lemon: 5, fig: 3, mango: 5, elder: 5, cherry: 6, date: 4, honeydew: 8, kiwi: 4, apple: 5}
var big = {}
for (i in 0...100) big[i * 7 - 50] = i
for (i in 0...60) big.remove(i * 7 - 50)
System.print(big) // expect: {482: 76, 398: 64, 615: 95, 370: 60, 573: 89, 601: 93, 489: 77, 545: 85, 468: 74, 440: 70, 594: 92, 524: 82, 391: 63, 608: 94, 566: 88, 622: 96, 559: 87, 412: 66, 552: 86, 426: 68, 384: 62, 643: 99, 538: 84, 636: 98, 496: 78, 510: 80, 517: 81, 405: 65, 587: 91, 447: 71, 377: 61, 580: 90, 419: 67, 531: 83, 629: 97, 461: 73, 433: 69, 454: 72, 475: 75, 503: 79}
var mixed = {true: 1, false: 2, null: 3, 1.5: 4, -0: 5, (1..3): 6, Num: 7, "x": 8}
System.print(mixed) // expect: {1..3: 6, false: 2, Num: 7, -0: 5, x: 8, 1.5: 4, true: 1, null: 3}
System.print(mixed[0]) // expect: null
var many = {}
for (i in 0...1000) many["k%(i)"] = i
var keys = many.keys.toList
System.print(keys[0..20]) // expect: [k477, k807, k68, k754, k689, k780, k936, k317, k78, k574, k645, k725, k791, k95, k204, k674, k543, k734, k15, k214, k802]
System.print(many.count) // expect: 1000
// Only values are keys: a fiber (identity, and it moves in the heap) is not.
var byFiber = Fiber.new { {}[Fiber.new {}] = 1 }.try()
System.print(byFiber) // expect: Key must be a value type.
