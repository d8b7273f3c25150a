System.print(true) // expect: true
System.print(false) // expect: false
System.print(!true) // expect: false
System.print(!false) // expect: true
System.print(true.toString) // expect: true
System.print(false.toString + "!") // expect: false!
System.print(true == true) // expect: true
System.print(true == false) // expect: false
System.print(true != false) // expect: true
System.print(true == 1) // expect: false
System.print(true is Bool) // expect: true
System.print(1 < 2 == !false) // expect: true
