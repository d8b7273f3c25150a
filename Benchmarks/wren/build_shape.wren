// The "200 MB shape" of the snapshot benchmarks, built cold: a million
// two-element lists, each holding a string of about 106 bytes and a number.
var data = []
var pad = "x" * 100
for (i in 0...1000000) data.add([pad + i.toString, i])
System.print(data.count)
System.print(data[999999][0].count)
