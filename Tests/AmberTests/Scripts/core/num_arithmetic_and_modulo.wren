System.print(7 + 3) // expect: 10
System.print(7 - 10) // expect: -3
System.print(6 * 7) // expect: 42
System.print(7 / 2) // expect: 3.5
System.print(7 % 3) // expect: 1
// The remainder takes the sign of the dividend.
System.print(-7 % 3) // expect: -1
System.print(7 % -3) // expect: 1
System.print(5.5 % 2) // expect: 1.5
System.print(-(3)) // expect: -3
System.print(1 < 2) // expect: true
System.print(2 <= 2) // expect: true
System.print(3 > 4) // expect: false
System.print(4 >= 5) // expect: false
System.print(0.1 * 3) // expect: 0.3
System.print(9007199254740993) // expect: 9.007199254741e+15
