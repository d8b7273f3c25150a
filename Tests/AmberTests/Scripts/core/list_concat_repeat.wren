var a = [1, 2]
var b = [3]
var c = a + b
System.print(c) // expect: [1, 2, 3]
System.print(a) // expect: [1, 2]
System.print(a + (5..6)) // expect: [1, 2, 5, 6]
System.print([] + []) // expect: []
System.print(a * 3) // expect: [1, 2, 1, 2, 1, 2]
System.print(a * 0) // expect: []

// Repetition copies references, not elements.
var inner = [0]
var outer = [inner] * 2
inner.add(1)
System.print(outer) // expect: [[0, 1], [0, 1]]

System.print(List.filled(3, "z")) // expect: [z, z, z]
System.print(List.filled(0, "z")) // expect: []
