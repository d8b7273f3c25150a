System.print(16.sqrt) // expect: 4
System.print(27.cbrt) // expect: 3
System.print(2.pow(10)) // expect: 1024
System.print(9.pow(0.5)) // expect: 3
System.print(3.min(5)) // expect: 3
System.print(3.max(5)) // expect: 5
System.print(15.clamp(0, 10)) // expect: 10
System.print((-3).clamp(0, 10)) // expect: 0
System.print(7.clamp(0, 10)) // expect: 7
System.print(0.sin) // expect: 0
System.print(0.cos) // expect: 1
System.print(0.tan) // expect: 0
System.print(1.exp) // expect: 2.718281828459
System.print(1.log) // expect: 0
System.print(8.log2) // expect: 3
System.print(1.atan(1) == Num.pi / 4) // expect: true
System.print((0.5.asin * 6 - Num.pi).abs < 1e-12) // expect: true
System.print(1.acos) // expect: 0
System.print(Num.pi) // expect: 3.1415926535898
System.print(Num.tau) // expect: 6.2831853071796
