var list = ["red", "green", "blue", "green"]
System.print(list.indexOf("green")) // expect: 1
System.print(list.indexOf("purple")) // expect: -1
System.print(list.contains("blue")) // expect: true
System.print(list.contains("pink")) // expect: false

list.swap(0, 2)
System.print(list) // expect: [blue, green, red, green]
list.swap(-1, 0)
System.print(list) // expect: [green, green, red, blue]
list.swap(2, 2)
System.print(list) // expect: [green, green, red, blue]

System.print([1, null, 3].indexOf(null)) // expect: 1
System.print([1..2, 3..4].indexOf(3..4)) // expect: 1
